// A fixed English sample for the tokenizer lesson's "characters per token" figure, written for this project: plain
// ASCII in a mix of registers (a story, news with numbers, science, instructions with a URL, dialogue). The Llama 3
// paper (arXiv:2407.21783 §3.2) measures the figure on Meta's English data: 3.17 characters per token for Llama 2's
// 32K tokenizer, 3.94 for Llama 3's 128K one; the lesson measures the same on this text.

/** The paper's figures, characters per token on Meta's English data. */
export const PAPER_CHARS_PER_TOKEN = { llama2: 3.17, llama3: 3.94 } as const;

export const ENGLISH_SAMPLE = `The village of Alder Cross sits where two old roads meet at the bottom of a wide green valley. Most mornings a \
thin fog rises from the river and hangs over the rooftops until the sun climbs above the eastern hills. By five \
o'clock the smell of fresh bread has drifted down the main street, past the hardware shop and the little post office \
with its faded red door.

On Tuesday, the regional council approved a budget of $4.7 million for repairs to the bridge, which was first \
recorded in a survey of 1873. Councillor Margaret Okafor said the decision "should have been made a decade ago," \
adding that traffic across the span has roughly doubled since 2015. Work is expected to begin in March and to close \
the road for about 14 weeks; a temporary footbridge will be installed 200 metres upstream.

Photosynthesis converts light energy into chemical energy. In the chloroplasts of plant cells, chlorophyll absorbs \
mostly blue and red wavelengths, and the energy drives the splitting of water molecules. The overall reaction can be \
summarised as 6CO2 + 6H2O -> C6H12O6 + 6O2, although the real process involves dozens of intermediate steps and \
enzymes such as RuBisCO, probably the most abundant protein on Earth.

To reset the router, unplug it for at least 30 seconds, then plug it back in and wait until the status light turns \
solid green. If the problem persists, open a browser, go to http://192.168.0.1/settings, and sign in with the \
password printed on the label underneath the device. Do not press the recessed button on the back unless you want \
to erase every custom setting.

"You're late again," said the teacher, without looking up from her papers.
"I know, I'm sorry. The bus broke down near the quarry, and we had to walk the rest of the way."
"All of you?"
"Well, most of us. Tom's uncle stopped and gave the youngest ones a lift."
She finally raised her eyes, smiled, and pointed at the empty chair by the window.

Readers who want to go further can try the exercises at the end of chapter 7: estimate the height of a tree from \
the length of its shadow, compare the average rainfall in April and October over the last twenty years, and explain, \
in no more than 150 words, why the sky looks blue at noon but red at sunset.`;
