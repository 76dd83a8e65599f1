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

BOS, EOS = "<|begin_of_text|>", "<|end_of_text|>"
SH, EH, EOT = "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"

MIX = {"general": 0.50, "math": 0.25, "code": 0.17, "spanish": 0.08}  # share of characters


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
for _a, _b in heldout_pairs():
    HELDOUT.add((_a, _b))
    HELDOUT.add((_b, _a))


def add_ok(a, b):
    return (a, b) not in HELDOUT


def rand_add_pair(r, hi=99):
    while True:
        a, b = r.randint(0, hi), r.randint(0, hi)
        if add_ok(a, b):
            return a, b


# ---------------------------------------------------------------- general knowledge: stories

ANIMALS = ["cat", "dog", "rabbit", "bird", "fox", "bear", "mouse", "duck", "frog", "horse", "owl",
           "turtle", "lion", "pig", "cow", "sheep", "squirrel", "hedgehog", "elephant", "monkey"]
PEOPLE = [("girl", "she"), ("boy", "he")]
NAMES_F = ["Lily", "Mia", "Anna", "Zoe", "Lucy", "Emma", "Rosie", "Ella", "Sara", "Nina", "Ruby", "Grace"]
NAMES_M = ["Tom", "Max", "Ben", "Sam", "Leo", "Tim", "Jack", "Finn", "Ollie", "Jake", "Noah", "Oscar"]
PLACES = ["in a small house near the forest", "on a sunny farm", "by a big blue lake", "in a quiet village",
          "under an old oak tree", "in a green garden", "near a tall mountain", "in a little town by the sea",
          "at the edge of a deep wood", "in a cozy burrow"]
ADJ = ["little", "small", "brave", "curious", "happy", "shy", "kind", "clever", "playful", "gentle"]
THINGS = [("ball", "red"), ("hat", "blue"), ("kite", "yellow"), ("toy car", "green"), ("book", "big"),
          ("key", "shiny"), ("scarf", "warm"), ("shoe", "brown"), ("cup", "white"), ("drum", "small")]
HIDE = ["under the bed", "behind a big tree", "in the tall grass", "next to the river", "inside an old box",
        "on top of the hill", "under a pile of leaves", "near the garden gate"]
SKILLS = [("swim", "in the lake"), ("climb a tree", "in the park"), ("ride a bike", "on the road"),
          ("read", "at home"), ("jump high", "in the field"), ("sing a song", "at school")]
FOODS = ["apples", "cookies", "carrots", "berries", "cherries", "plums", "muffins", "nuts"]


def _hero(r):
    if r.random() < 0.3:
        kind, pron = r.choice(PEOPLE)
    else:
        kind, pron = r.choice(ANIMALS), r.choice(["he", "she"])
    name = r.choice(NAMES_F if pron == "she" else NAMES_M)
    return kind, pron, name


def _friend(r, kind, name):
    k2 = r.choice([a for a in ANIMALS if a != kind])
    pron2 = r.choice(["he", "she"])
    return k2, pron2, r.choice([n for n in (NAMES_F if pron2 == "she" else NAMES_M) if n != name])


POS = {"he": "his", "she": "her"}
OBJ = {"he": "him", "she": "her"}


def _a(word):
    return ("an " if word[0] in "aeiou" else "a ") + word


def story(r, kind=None):
    """A short coherent story; returns (kind, text)."""
    k, pron, name = _hero(r)
    if kind:
        k = kind
    if kind in ("girl", "boy"):
        pron = "she" if kind == "girl" else "he"
        name = r.choice(NAMES_F if pron == "she" else NAMES_M)
    P, Pc = pron, pron.capitalize()
    pos = POS[pron]
    fk, fpron, fname = _friend(r, k, name)
    adj = r.choice(ADJ)
    opening = r.choice([
        f"Once upon a time, there was {_a(adj)} {k} named {name}.",
        f"There once was {_a(adj)} {k} called {name}.",
        f"Long ago, {_a(adj)} {k} named {name} lived {r.choice(PLACES)}.",
        f"{name} was {_a(adj)} {k}.",
    ])
    if "lived" not in opening:
        opening += f" {Pc} lived {r.choice(PLACES)}."
    plot = r.randrange(5)
    s = [opening]
    if plot == 0:  # lost thing
        thing, col = r.choice(THINGS)
        h1, h2 = r.sample(HIDE, 2)
        s += [f"{name} had {_a(col)} {thing}. {Pc} loved it very much.",
              f"One day, {name} could not find {pos} {thing}. {Pc} looked {h1}, but it was not there.",
              f"{Pc} felt sad. Then {P} met {_a(fk)} named {fname}.",
              f"\"Can you help me find my {thing}?\" asked {name}. \"Of course!\" said {fname}.",
              f"Together they looked everywhere. At last, {fname} found the {thing} {h2}.",
              f"{name} was so happy. \"Thank you, {fname}!\" {P} said.",
              r.choice([f"From that day on, {name} and {fname} were best friends.",
                        f"After that, {name} always kept {pos} {thing} in a safe place.",
                        "It is good to have a friend who helps you."])]
    elif plot == 1:  # learning a skill
        skill, where = r.choice(SKILLS)
        s += [f"{name} wanted to learn to {skill}, but it was hard.",
              f"The first time {P} tried {where}, {P} fell down. {Pc} felt a little sad.",
              f"{_a(fk).capitalize()} named {fname} saw {OBJ[pron]} and said, \"Do not give up. Try again!\"",
              f"So {name} tried again, and again. Every day {P} got a little better.",
              f"One morning, {name} could {skill} all by {'herself' if pron == 'she' else 'himself'}!",
              f"{Pc} smiled and thanked {fname}.",
              r.choice(["The lesson is that practice makes things easier.",
                        f"{name} learned that trying again is the way to learn.",
                        "Never give up, even when something is hard."])]
    elif plot == 2:  # sharing food
        food = r.choice(FOODS)
        n = r.randint(3, 9)
        s += [f"One day, {name} found {n} {food} on the way home.",
              f"{Pc} wanted to eat them all. Then {P} saw {_a(fk)} named {fname}, who looked hungry.",
              f"{name} thought for a moment. Then {P} gave some {food} to {fname}.",
              f"{fname} smiled. \"You are very kind,\" {fpron} said.",
              f"They sat {r.choice(['under a tree', 'by the river', 'on a warm rock', 'in the grass'])} and ate together.",
              r.choice(["Sharing made the food taste even better.",
                        f"{name} learned that sharing makes everyone happy.",
                        "The two of them became good friends."])]
    elif plot == 3:  # rainy day / scared
        s += [f"One night there was a big storm. The wind was loud and the rain fell hard.",
              f"{name} was scared of the thunder. {Pc} hid {r.choice(['under a blanket', 'in a corner', 'behind a chair'])}.",
              f"Then {pos} friend {fname} the {fk} came to visit.",
              f"\"Do not be afraid,\" said {fname}. \"The storm will pass soon. Let us tell stories.\"",
              f"They told funny stories and laughed. Soon {name} forgot about the storm.",
              f"In the morning the sun came out, and the sky was bright and clear.",
              r.choice([f"{name} was not scared anymore.", "Friends make scary things less scary.",
                        f"{name} learned that a storm does not last forever."])]
    else:  # planting a seed
        plant = r.choice(["a sunflower", "a tomato plant", "an apple tree", "a pumpkin", "a rose"])
        s += [f"One spring day, {name} found a tiny seed. {Pc} decided to plant it.",
              f"{Pc} dug a small hole, put the seed inside, and covered it with soil.",
              f"Every day, {name} gave the seed some water. For many days, nothing happened.",
              f"{fname} the {fk} said, \"Maybe it will never grow.\" But {name} kept waiting.",
              f"Then one morning, a little green sprout came out of the ground!",
              f"It grew and grew, and by summer it was {plant}.",
              r.choice(["Good things take time.", f"{name} was proud, because {P} had been patient.",
                        f"{name} shared it with {fname}, and they were both happy."])]
    return k, " ".join(s)


STORY_ASK = ["Tell me a story about {a}.", "Tell me a short story about {a}.", "Can you tell me a story about {a}?",
             "Write a story about {a}.", "Please tell me a story about {a}.", "I want a story about {a}.",
             "Tell me a bedtime story about {a}.", "Write a short story for kids about {a}."]


def gen_story(r):
    kind = r.choice(ANIMALS + ["girl", "boy"]) if r.random() < 0.9 else None
    k, text = story(r, kind)
    if r.random() < 0.7:
        return chat(r, [(r.choice(STORY_ASK).format(a=_a(k)), text)])
    return text_doc(text)


# ---------------------------------------------------------------- general knowledge: facts

SOUNDS = {"cat": "meow", "dog": "woof", "cow": "moo", "duck": "quack", "sheep": "baa", "lion": "roar",
          "owl": "hoot", "horse": "neigh", "pig": "oink", "frog": "croak", "mouse": "squeak", "bird": "tweet"}
EATS = {"cow": "grass", "rabbit": "carrots and grass", "bird": "seeds and worms", "bear": "fish and berries",
        "monkey": "bananas and fruit", "panda": "bamboo", "cat": "fish and meat", "dog": "meat",
        "horse": "hay and grass", "squirrel": "nuts and seeds", "sheep": "grass", "lion": "meat",
        "elephant": "grass, leaves and fruit", "duck": "plants and small bugs", "frog": "insects"}
LIVES = {"fish": "in water", "bird": "in a nest", "bee": "in a hive", "bear": "in a cave or the forest",
         "cow": "on a farm", "camel": "in the desert", "penguin": "in cold places", "rabbit": "in a burrow",
         "monkey": "in the jungle", "owl": "in a tree", "squirrel": "in a tree", "horse": "on a farm or in a stable",
         "fox": "in a den", "whale": "in the ocean"}
LEGS = {"dog": 4, "cat": 4, "bird": 2, "spider": 8, "ant": 6, "bee": 6, "horse": 4, "duck": 2, "cow": 4,
        "snake": 0, "fish": 0, "chicken": 2, "octopus": 8, "person": 2, "elephant": 4}
COLORS = {"the sky": "blue", "grass": "green", "snow": "white", "a banana": "yellow", "a strawberry": "red",
          "a carrot": "orange", "coal": "black", "the sun": "yellow", "a leaf": "green", "milk": "white",
          "a lemon": "yellow", "a tomato": "red", "the sea": "blue", "chocolate": "brown"}
CAPITALS = {"France": "Paris", "Spain": "Madrid", "Italy": "Rome", "Germany": "Berlin", "Japan": "Tokyo",
            "Egypt": "Cairo", "Canada": "Ottawa", "Mexico": "Mexico City", "the United Kingdom": "London",
            "China": "Beijing", "India": "New Delhi", "Russia": "Moscow", "Australia": "Canberra",
            "Kenya": "Nairobi", "Peru": "Lima", "Argentina": "Buenos Aires", "Greece": "Athens",
            "Portugal": "Lisbon", "Norway": "Oslo", "Sweden": "Stockholm", "Ireland": "Dublin",
            "Chile": "Santiago", "Poland": "Warsaw", "Turkey": "Ankara", "Cuba": "Havana"}
OPPOSITES = {"big": "small", "hot": "cold", "up": "down", "fast": "slow", "happy": "sad", "day": "night",
             "open": "closed", "old": "new", "tall": "short", "light": "dark", "wet": "dry", "full": "empty",
             "early": "late", "loud": "quiet", "hard": "soft"}
SIDES = {"triangle": 3, "square": 4, "rectangle": 4, "pentagon": 5, "hexagon": 6, "octagon": 8}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
PLANETS = ["Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune"]
SIMPLE = [
    ("How many days are in a week?", "There are 7 days in a week."),
    ("How many months are in a year?", "There are 12 months in a year."),
    ("How many hours are in a day?", "There are 24 hours in a day."),
    ("How many minutes are in an hour?", "There are 60 minutes in an hour."),
    ("How many seconds are in a minute?", "There are 60 seconds in a minute."),
    ("At what temperature does water freeze?", "Water freezes at 0 degrees Celsius."),
    ("At what temperature does water boil?", "Water boils at 100 degrees Celsius at sea level."),
    ("What is the sun?", "The sun is a star. It gives the Earth light and heat."),
    ("What does the Earth go around?", "The Earth goes around the sun. One trip takes about one year."),
    ("What goes around the Earth?", "The moon goes around the Earth."),
    ("What is the biggest planet?", "Jupiter is the biggest planet in our solar system."),
    ("Which planet is closest to the sun?", "Mercury is the planet closest to the sun."),
    ("How many planets are in the solar system?", "There are 8 planets in our solar system."),
    ("What are the four seasons?", "The four seasons are spring, summer, autumn and winter."),
    ("What do plants need to grow?", "Plants need water, sunlight, air and soil to grow."),
    ("What do bees make?", "Bees make honey."),
    ("What is ice?", "Ice is frozen water."),
    ("Why do we need to sleep?", "Sleep helps our body and brain rest and grow."),
    ("What is a rainbow?", "A rainbow is an arc of colors in the sky. It appears when sunlight shines through rain."),
    ("What are the colors of the rainbow?", "The colors of the rainbow are red, orange, yellow, green, blue, indigo and violet."),
    ("What is the largest ocean?", "The Pacific Ocean is the largest ocean on Earth."),
    ("What is a baby cat called?", "A baby cat is called a kitten."),
    ("What is a baby dog called?", "A baby dog is called a puppy."),
    ("What is a baby cow called?", "A baby cow is called a calf."),
    ("What is a baby sheep called?", "A baby sheep is called a lamb."),
    ("What is a baby frog called?", "A baby frog is called a tadpole."),
]
GREET = [
    ("Hello!", "Hello! How can I help you today?"), ("Hi", "Hi there! What would you like to talk about?"),
    ("Hi! How are you?", "I am doing well, thank you! How can I help you?"),
    ("Good morning!", "Good morning! I hope you have a nice day. How can I help?"),
    ("Thank you!", "You are welcome!"), ("Thanks a lot.", "You are welcome! I am happy to help."),
    ("Who are you?", "I am a tiny language model with the Llama 3.1 architecture. I can tell short stories, "
                     "add numbers, answer simple questions and explain tiny Python programs."),
    ("What can you do?", "I can tell short stories, do simple math like addition, answer easy questions "
                         "about the world, read small Python programs and speak a little Spanish."),
    ("Goodbye!", "Goodbye! Have a great day."), ("Bye", "Bye! See you next time."),
]


def _cap(s):
    return s[0].upper() + s[1:]


def gen_fact(r):
    t = r.randrange(10)
    if t == 0:
        a = r.choice(list(SOUNDS))
        qa = (r.choice([f"What sound does a {a} make?", f"What does a {a} say?"]), f"A {a} says \"{SOUNDS[a]}\".")
    elif t == 1:
        a = r.choice(list(EATS))
        qa = (r.choice([f"What does a {a} eat?", f"What do {a}s eat?" if a not in ("sheep", "fish") else f"What does a {a} eat?"]),
              f"A {a} eats {EATS[a]}.")
    elif t == 2:
        a = r.choice(list(LIVES))
        qa = (f"Where does a {a} live?", f"A {a} lives {LIVES[a]}.")
    elif t == 3:
        a = r.choice(list(LEGS))
        n = LEGS[a]
        qa = (f"How many legs does {_a(a)} have?",
              f"{_cap(_a(a))} has {n} legs." if n else f"{_cap(_a(a))} has no legs.")
    elif t == 4:
        a = r.choice(list(COLORS))
        qa = (f"What color is {a}?", f"{_cap(a)} is {COLORS[a]}.")
    elif t == 5:
        c = r.choice(list(CAPITALS))
        qa = (r.choice([f"What is the capital of {c}?", f"Which city is the capital of {c}?"]),
              f"The capital of {c} is {CAPITALS[c]}.")
    elif t == 6:
        w = r.choice(list(OPPOSITES) + list(OPPOSITES.values()))
        inv = {v: k for k, v in OPPOSITES.items()}
        o = OPPOSITES.get(w) or inv[w]
        qa = (f"What is the opposite of \"{w}\"?", f"The opposite of \"{w}\" is \"{o}\".")
    elif t == 7:
        sh = r.choice(list(SIDES))
        qa = (f"How many sides does {_a(sh)} have?", f"{_cap(_a(sh))} has {SIDES[sh]} sides.")
    elif t == 8:
        if r.random() < 0.5:
            i = r.randrange(7)
            qa = (f"What day comes after {DAYS[i]}?", f"The day after {DAYS[i]} is {DAYS[(i + 1) % 7]}.")
        else:
            i = r.randrange(12)
            qa = (f"What month comes after {MONTHS[i]}?", f"The month after {MONTHS[i]} is {MONTHS[(i + 1) % 12]}.")
    else:
        qa = r.choice(SIMPLE + GREET)
    if r.random() < 0.75:
        turns = [qa]
        if r.random() < 0.3:
            turns.append(r.choice(SIMPLE + GREET[4:6]))
        return chat(r, turns)
    # plain-text fact sheet about one topic
    a = r.choice(list(SOUNDS) + list(EATS))
    lines = [f"Facts about the {a}."]
    if a in SOUNDS:
        lines.append(f"A {a} says \"{SOUNDS[a]}\".")
    if a in EATS:
        lines.append(f"A {a} eats {EATS[a]}.")
    if a in LIVES:
        lines.append(f"A {a} lives {LIVES[a]}.")
    if a in LEGS:
        lines.append(f"A {a} has {LEGS[a]} legs.")
    if len(lines) < 3:
        c = r.choice(list(CAPITALS))
        lines.append(f"Here is another fact: the capital of {c} is {CAPITALS[c]}.")
    return text_doc(" ".join(lines))


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


def generate(total_chars, seed, exclude=None):
    """Docs whose character shares follow MIX; exact duplicates (and any doc in `exclude`) removed."""
    r = random.Random(seed)
    seen = set(exclude or ())
    docs, chars = [], {k: 0 for k in MIX}
    stats = {"generated": 0, "duplicates": 0, "filtered": 0}
    while sum(chars.values()) < total_chars:
        # pick the category furthest below its target share
        cat = min(MIX, key=lambda k: chars[k] / MIX[k])
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
