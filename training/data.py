"""Synthetic, licence-clean training corpus for llama31-mini, mirroring Llama 3's data mix.

Llama 3 (arXiv:2407.21783, section 3.1.2) trains on ~50% general knowledge, 25% math and reasoning,
17% code and 8% multilingual tokens, de-duplicated and filtered, with much synthetic post-training data
checked automatically (code by execution, math by verified answers). This generator does the same in
miniature: every document is produced here from templates with a seeded RNG, arithmetic answers are
computed, and every code snippet's output is obtained by actually running it.

Documents are strings in the Llama 3.1 text format: plain text, or chat dialogues rendered with
`render_chat` (the same format as the Jinja chat_template in tokenizer_config.json).
"""
import contextlib
import hashlib
import io
import random

from .chat_format import BOS, EOS, chat, render_chat, text_doc  # noqa: F401 (render_chat re-exported)
from .data_general import FOODS, NAMES_F, NAMES_M, _a, gen_fact, gen_story

MIX = {"general": 0.50, "math": 0.25, "code": 0.17, "spanish": 0.08}  # share of characters
# Annealing mix (Llama 3 section 3.4.3 anneals on upsampled high-quality math and code at the end of pre-training)
ANNEAL_MIX = {"general": 0.27, "math": 0.55, "code": 0.10, "spanish": 0.08}

# ---------------------------------------------------------------- held-out addition pairs

def heldout_pairs(n=200, seed=1234):
    """(A, B) pairs kept out of training in both orders; the eval file lists exactly these."""
    r = random.Random(seed)
    allp = [(a, b) for a in range(100) for b in range(100)]
    r.shuffle(allp)
    out, seen = [], set()
    for a, b in allp:
        if (a, b) in seen or (b, a) in seen:
            continue
        out.append((a, b))
        seen.add((a, b))
        if len(out) == n:
            break
    return out


HELDOUT = set()
for _x, _y in heldout_pairs():
    HELDOUT.add((_x, _y))
    HELDOUT.add((_y, _x))


def add_ok(a, b):
    return (a, b) not in HELDOUT


def rand_add_pair(r, hi=99):
    while True:
        a, b = r.randint(0, hi), r.randint(0, hi)
        if add_ok(a, b):
            return a, b


# ---------------------------------------------------------------- math (answers computed)

ADD_ASK = ["What is {a} + {b}?", "What is {a} plus {b}?", "What is {a} + {b}?", "Calculate {a} + {b}.",
           "Add {a} and {b}.", "What is the sum of {a} and {b}?", "How much is {a} + {b}?", "{a} + {b} = ?"]


def add_answer(a, b):
    """Short worked answer: ones, then tens, then the total; the last number is always the sum."""
    s = a + b
    if a < 10 and b < 10:
        return f"{a} + {b} = {s}."
    o = a % 10 + b % 10
    t = (a // 10 + b // 10) * 10
    return f"{a % 10} + {b % 10} = {o} and {a // 10 * 10} + {b // 10 * 10} = {t}, so {a} + {b} = {t} + {o} = {s}."


def gen_math(r):
    t = r.random()
    if t < 0.62:  # addition dialogues (the skill the eval measures)
        turns = []
        for _ in range(1 if r.random() < 0.7 else 2):
            a, b = rand_add_pair(r)
            turns.append((r.choice(ADD_ASK).format(a=a, b=b), add_answer(a, b)))
        return chat(r, turns)
    if t < 0.72:  # plain addition table lines
        lines = []
        for _ in range(r.randint(4, 10)):
            a, b = rand_add_pair(r)
            lines.append(f"{a} + {b} = {a + b}")
        return text_doc("\n".join(lines))
    if t < 0.80:
        a = r.randint(0, 99)
        b = r.randint(0, a)
        return chat(r, [(r.choice(["What is {a} - {b}?", "What is {a} minus {b}?", "Subtract {b} from {a}."]).format(a=a, b=b),
                         f"{a} - {b} = {a - b}.")])
    if t < 0.87:
        a, b = r.randint(0, 12), r.randint(0, 12)
        return chat(r, [(r.choice(["What is {a} * {b}?", "What is {a} times {b}?", "Multiply {a} by {b}."]).format(a=a, b=b),
                         f"{a} * {b} = {a * b}.")])
    if t < 0.94:  # word problems
        name = r.choice(NAMES_F + NAMES_M)
        pron = "She" if name in NAMES_F else "He"
        food = r.choice(FOODS)
        a, b = rand_add_pair(r, 20)
        if r.random() < 0.5:
            q = f"{name} has {a} {food}. {pron} gets {b} more. How many {food} does {name} have now?"
            ans = f"{name} has {a} + {b} = {a + b} {food} now."
        else:
            a, b = max(a, b), min(a, b)
            q = f"{name} has {a} {food}. {pron} gives {b} away. How many {food} are left?"
            ans = f"{a} - {b} = {a - b}, so {a - b} {food} are left."
        return chat(r, [(q, ans)])
    k = r.randrange(3)
    if k == 0:
        a, b = r.sample(range(100), 2)
        return chat(r, [(f"Which is bigger, {a} or {b}?", f"{max(a, b)} is bigger than {min(a, b)}.")])
    if k == 1:
        a = r.randint(0, 90)
        b = a + r.randint(3, 9)
        return chat(r, [(f"Count from {a} to {b}.", ", ".join(str(i) for i in range(a, b + 1)) + ".")])
    a = r.randint(0, 99)
    return chat(r, [(f"Is {a} even or odd?", f"{a} is {'even' if a % 2 == 0 else 'odd'}.")])


# ---------------------------------------------------------------- code (outputs obtained by running it)

VARS = ["x", "y", "n", "a", "b", "total", "count", "num"]
WORDS = ["cat", "dog", "sun", "apple", "hello", "llama", "tree", "python", "moon", "book"]


def _snippet(r):
    k = r.randrange(9)
    if k == 0:
        v1, v2 = r.sample(VARS, 2)
        a, b = r.randint(0, 20), r.randint(0, 20)
        op = r.choice(["+", "-", "*"])
        return f"{v1} = {a}\n{v2} = {b}\nprint({v1} {op} {v2})\n"
    if k == 1:
        n, m = r.randint(2, 6), r.randint(1, 5)
        return f"for i in range({n}):\n    print(i * {m})\n"
    if k == 2:
        w = r.choice(WORDS)
        f = r.choice(["upper()", "lower()", "capitalize()"])
        return f"word = \"{w}\"\nprint(word.{f})\nprint(len(word))\n"
    if k == 3:
        xs = [r.randint(0, 20) for _ in range(r.randint(3, 6))]
        f = r.choice(["sum", "max", "min", "len", "sorted"])
        return f"numbers = {xs}\nprint({f}(numbers))\n"
    if k == 4:
        name, body = r.choice([("square", "n * n"), ("double", "n * 2"), ("add_one", "n + 1"), ("half", "n // 2")])
        xs = r.sample(range(1, 13), 2)
        return f"def {name}(n):\n    return {body}\n\nprint({name}({xs[0]}))\nprint({name}({xs[1]}))\n"
    if k == 5:
        a, lim = r.randint(0, 30), r.randint(5, 25)
        return f"x = {a}\nif x > {lim}:\n    print(\"big\")\nelse:\n    print(\"small\")\n"
    if k == 6:
        n = r.randint(2, 5)
        return f"n = {n}\nwhile n > 0:\n    print(n)\n    n = n - 1\nprint(\"done\")\n"
    if k == 7:
        name = r.choice(NAMES_F + NAMES_M)
        age = r.randint(3, 12)
        return f"name = \"{name}\"\nage = {age}\nprint(f\"{{name}} is {{age}} years old.\")\n"
    w = r.choice(WORDS)
    return f"word = \"{w}\"\nprint(word[::-1])\nprint(word[0])\n"


def run_python(code):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(code, {"__builtins__": {"print": print, "range": range, "len": len, "sum": sum, "max": max,
                                     "min": min, "sorted": sorted}})
    return buf.getvalue()


WRITE_TASKS = [
    ("Write a Python function that returns the square of a number.",
     "def square(n):\n    return n * n\n", "print(square(4))\n"),
    ("Write a Python function that adds two numbers.", "def add(a, b):\n    return a + b\n", "print(add(2, 3))\n"),
    ("Write a Python program that prints the numbers from 1 to 5.", "for i in range(1, 6):\n    print(i)\n", ""),
    ("Write a Python function that checks if a number is even.",
     "def is_even(n):\n    return n % 2 == 0\n", "print(is_even(4))\nprint(is_even(7))\n"),
    ("Write a Python function that returns the largest number in a list.",
     "def largest(numbers):\n    best = numbers[0]\n    for x in numbers:\n        if x > best:\n            best = x\n    return best\n",
     "print(largest([3, 9, 2]))\n"),
    ("Write a Python program that says hello.", "print(\"Hello, world!\")\n", ""),
    ("Write a Python function that reverses a string.", "def reverse(s):\n    return s[::-1]\n", "print(reverse(\"llama\"))\n"),
    ("Write a Python function that counts the vowels in a word.",
     "def count_vowels(word):\n    count = 0\n    for ch in word:\n        if ch in \"aeiou\":\n            count = count + 1\n    return count\n",
     "print(count_vowels(\"banana\"))\n"),
]


def gen_code(r):
    t = r.random()
    if t < 0.8:
        code = _snippet(r)
        out = run_python(code)
        ask = r.choice(["What does this Python code print?", "What is the output of this code?",
                        "Run this Python program in your head. What does it print?"])
        if t < 0.6:
            return chat(r, [(f"{ask}\n\n```python\n{code}```",
                             f"It prints:\n\n```\n{out}```")])
        return text_doc(f"```python\n{code}```\n\nOutput:\n\n```\n{out}```")
    q, code, demo = r.choice(WRITE_TASKS)
    out = run_python(code + demo)
    ans = f"Here is one way to do it:\n\n```python\n{code}{demo}```"
    if out:
        ans += f"\n\nIt prints:\n\n```\n{out}```"
    return chat(r, [(q, ans)])


# ---------------------------------------------------------------- multilingual: simple Spanish

EN_ES = {"cat": "gato", "dog": "perro", "house": "casa", "water": "agua", "sun": "sol", "moon": "luna",
         "book": "libro", "red": "rojo", "blue": "azul", "green": "verde", "apple": "manzana", "bread": "pan",
         "friend": "amigo", "school": "escuela", "tree": "árbol", "bird": "pájaro", "milk": "leche",
         "big": "grande", "small": "pequeño", "happy": "feliz", "one": "uno", "two": "dos", "three": "tres",
         "four": "cuatro", "five": "cinco", "hello": "hola", "thank you": "gracias", "good morning": "buenos días",
         "Monday": "lunes", "Sunday": "domingo", "rabbit": "conejo", "bear": "oso", "cow": "vaca", "frog": "rana"}
ES_ANIMALS = [("gato", "m", "cat"), ("perro", "m", "dog"), ("conejo", "m", "rabbit"), ("oso", "m", "bear"),
              ("pato", "m", "duck"), ("ratón", "m", "mouse"), ("vaca", "f", "cow"), ("rana", "f", "frog"),
              ("tortuga", "f", "turtle"), ("gallina", "f", "hen")]
ES_CHAT = [("Hola, ¿cómo estás?", "¡Hola! Estoy bien, gracias. ¿Y tú?"),
           ("¿Cómo te llamas?", "Soy un modelo de lenguaje pequeño. ¿En qué te puedo ayudar?"),
           ("Buenos días.", "¡Buenos días! ¿Qué tal?"), ("Gracias.", "¡De nada!"),
           ("¿Qué día es después del lunes?", "Después del lunes viene el martes."),
           ("¿De qué color es el cielo?", "El cielo es azul."),
           ("¿Cuántos días tiene una semana?", "Una semana tiene siete días.")]


def es_story(r):
    an, g, en = r.choice(ES_ANIMALS)
    un = "un" if g == "m" else "una"
    peq = "pequeño" if g == "m" else "pequeña"
    name = r.choice(NAMES_F if g == "f" else NAMES_M)
    amigo = r.choice(["un perro", "un pájaro", "un conejo", "una rana", "una vaca"])
    s = [f"Había una vez {un} {an} {peq} llamado{'a' if g == 'f' else ''} {name}.",
         f"{name} vivía {r.choice(['en una casa cerca del bosque', 'en una granja', 'junto a un lago', 'en un jardín verde'])}.",
         f"Un día, {name} perdió su {r.choice(['pelota roja', 'sombrero azul', 'libro favorito'])}.",
         f"{name} estaba triste. Entonces llegó {amigo} y dijo: \"¡Yo te ayudo!\"",
         "Buscaron juntos por todas partes y por fin encontraron la cosa debajo de un árbol.",
         f"{name} estaba muy feliz y dijo: \"¡Muchas gracias!\"",
         r.choice(["Desde ese día fueron muy buenos amigos.", "Los amigos siempre se ayudan."])]
    return en, an, un, " ".join(s)


def gen_spanish(r):
    t = r.random()
    if t < 0.35:
        en, an, un, text = es_story(r)
        if r.random() < 0.5:
            return chat(r, [(r.choice([f"Cuéntame una historia sobre {un} {an}.", f"Escribe un cuento sobre {un} {an}."]), text)])
        if r.random() < 0.5:
            return chat(r, [(f"Tell me a story about {_a(en)} in Spanish.", text)])
        return text_doc(text)
    if t < 0.65:
        en = r.choice(list(EN_ES))
        if r.random() < 0.5:
            return chat(r, [(f"How do you say \"{en}\" in Spanish?", f"In Spanish, \"{en}\" is \"{EN_ES[en]}\".")])
        return chat(r, [(f"What does \"{EN_ES[en]}\" mean in English?", f"\"{EN_ES[en]}\" means \"{en}\" in English.")])
    if t < 0.85:
        return chat(r, [r.choice(ES_CHAT)])
    a, b = rand_add_pair(r, 20)
    return chat(r, [(f"¿Cuánto es {a} + {b}?", f"{a} + {b} = {a + b}.")])


# ---------------------------------------------------------------- corpus assembly: mix, dedup, filter

GENERATORS = {"general": lambda r: gen_story(r) if r.random() < 0.6 else gen_fact(r),
              "math": gen_math, "code": gen_code, "spanish": gen_spanish}


def keep(doc):
    """Heuristic filters in the spirit of Llama 3's: length bounds, no line repeated many times."""
    if not (20 <= len(doc) <= 3000):
        return False
    lines = [l for l in doc.split("\n") if l.strip()]
    return max(lines.count(l) for l in lines) <= 3 if lines else False


def generate(total_chars, seed, exclude=None, mix=None):
    """Docs whose character shares follow `mix` (default MIX); exact duplicates (and docs in `exclude`) removed."""
    mix = mix or MIX
    r = random.Random(seed)
    seen = set(exclude or ())
    docs, chars = [], {k: 0 for k in mix}
    stats = {"generated": 0, "duplicates": 0, "filtered": 0}
    while sum(chars.values()) < total_chars:
        # pick the category furthest below its target share
        cat = min(mix, key=lambda k: chars[k] / mix[k])
        doc = GENERATORS[cat](r)
        stats["generated"] += 1
        h = hashlib.sha1(doc.encode()).digest()
        if h in seen:
            stats["duplicates"] += 1
            chars[cat] += len(doc) * 0.05  # let saturated templates yield their share instead of looping forever
            continue
        if not keep(doc):
            stats["filtered"] += 1
            continue
        seen.add(h)
        docs.append(doc)
        chars[cat] += len(doc)
        stats["kept_chars_" + cat] = stats.get("kept_chars_" + cat, 0) + len(doc)
    return docs, chars, stats, seen


if __name__ == "__main__":
    docs, chars, stats, _ = generate(200_000, 0)
    tot = sum(chars.values())
    print(stats, {k: round(v / tot, 3) for k, v in chars.items()})
    r = random.Random(5)
    for d in r.sample(docs, 8):
        print(repr(d))
