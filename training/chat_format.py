"""The Llama 3.1 chat format as plain strings: what every generated dialogue and the chat_template produce."""

BOS, EOS = "<|begin_of_text|>", "<|end_of_text|>"
SH, EH, EOT = "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"



def render_chat(messages, add_generation_prompt=False):
    """Llama 3.1 chat format (simplified: no 'Cutting Knowledge Date' system preamble)."""
    s = BOS
    for m in messages:
        s += f"{SH}{m['role']}{EH}\n\n{m['content']}{EOT}"
    if add_generation_prompt:
        s += f"{SH}assistant{EH}\n\n"
    return s


def chat(r, turns, system_p=0.15):
    """turns: list of (user, assistant). Optionally prepend a system message."""
    msgs = []
    if r.random() < system_p:
        msgs.append({"role": "system", "content": r.choice(SYSTEMS)})
    for u, a in turns:
        msgs.append({"role": "user", "content": u})
        msgs.append({"role": "assistant", "content": a})
    return render_chat(msgs)


def text_doc(body):
    return BOS + body + EOS


SYSTEMS = ["You are a helpful assistant.", "You are a friendly assistant.",
           "You are a helpful assistant. Answer briefly.", "You are a kind teacher for children."]
