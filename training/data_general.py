"""General-knowledge documents for the llama31-mini corpus: short stories from a plot generator, and simple facts."""
from .chat_format import chat, text_doc

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
