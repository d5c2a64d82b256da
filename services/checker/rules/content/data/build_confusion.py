"""Rebuild confusion.csv: common idioms with one character swapped for its confusable (a developer tool).

`python -m services.checker.rules.content.data.build_confusion` reads the idioms (tag i, four
characters) and the common three- and four-character words of jieba's dictionary (MIT licence)
and, for each character that has a confusable in
CONFUSABLE (characters proof-readers' handbooks list as commonly written for one another), writes
the idiom with that character swapped as the wrong form. A swapped form is kept only if it is no
word of jieba's dictionary (so no accepted variant such as 再接再砺 or 丰富多采 becomes an error),
contains no proper name of proper_names.txt and does not occur in the real text of the benchmark
(benchmarks/data/realtext), and only if it does not also read as correct words (一名惊人 = 一名 +
惊人, 在生产 = 在 + 生产).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).parent
MIN_IDIOM_FREQ = 3  # jieba count: every idiom of the dictionary (3 is its floor)
MIN_WORD_FREQ = 500  # jieba count: other words of three or four characters in everyday use
PROPER_TAGS = {"nr", "ns", "nt", "nz", "nrt", "nrfg"}  # names are never corrected

# Groups of characters commonly written for one another (same or near sound and/or shape).
CONFUSABLE_TABLE = """
账帐 即既 在再 部步 厉励砺 竞竟 辨辩辫 籍藉 复覆 拨拔 弛驰 泄泻 券卷 坐座 帖贴
销消 署暑 竣峻 偿尝 练炼 副幅 蔓漫 靡糜 概慨 锋峰蜂 萃粹瘁 馈匮篑 粱梁 骛鹜 璧壁
躁燥噪 篮蓝 俱具 度渡 候侯 己已 暴爆 迭叠 需须 振震 决绝 至致 纪记 贯惯 竭揭 融溶熔
坚艰 剂济 截节 名明鸣 磨摩 慕幕暮墓募 晰析 宣喧暄 毫豪 缓换唤涣焕 戴带 滥烂 凌陵
暇瑕遐 漠莫寞 弊蔽 辟僻避譬 撤撒澈 拒距 嘱瞩 赢嬴 唇辱 栗粟 茶荼 戌戍 侍恃持 愤奋忿
涌踊 嬉嘻 娇骄 鼎顶 裁载栽 徇循 迥炯 恰洽 婉宛 挥辉 拆折 贻怡 怠殆 徨惶 锻段 蕴酝
耸怂 诲悔 刃韧 恣姿 喻谕 逸溢 衷忠 缈渺 浑混 佳嘉 蔼霭 跋拔 诫戒 稍梢 斑班 墨默
摒屏 凋雕 坦袒 殒陨 懦儒 棉绵 漂飘 驭御 篡纂 迹际 祟崇 祥详 辗碾 勘堪 芒茫 措错
赃脏 撼憾 谍碟蝶 猾滑 涎诞 烁铄 绎驿译 恒衡 仗杖 辑缉揖 峙恃 奕弈 崛倔掘 诀决 挫锉
狭侠 陷馅 炫眩 妄忘 谬缪 籁簌 脍烩 汩汨 秘泌 贿赂 鹜 蹈稻 赴付 辐幅 竿杆 渲喧
魁槐 暄渲 惮殚 淆肴 皎姣 婪焚 羁 缭潦 骥冀 骏峻 锲契 绚炫 偕谐 殚 诡鬼 宵霄 嚣
罄磬 涸固 捐损 侈哆 瞠膛 粹碎 渊源 戮戳 皿血 灸炙 掬鞠 瞑暝 沧苍 遒道 斡翰 蛰蜇
诣旨 颖颍 赦郝
"""
CONFUSABLE = CONFUSABLE_TABLE.split()


def _groups() -> dict[str, set[str]]:
    mates: dict[str, set[str]] = {}
    for group in CONFUSABLE:
        for char in group:
            mates.setdefault(char, set()).update(c for c in group if c != char)
    return mates


def _realtext() -> str:
    folder = HERE.parents[4] / "benchmarks" / "data" / "realtext"
    files = sorted(folder.glob("*.txt")) if folder.exists() else []
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def build() -> list[tuple[str, str]]:
    """Return (wrong, right) pairs: each common idiom with one confusable character swapped."""
    import jieba

    from services.checker.support.script import to_simplified

    dictionary = Path(jieba.__file__).parent / "dict.txt"
    words: dict[str, tuple[int, str]] = {}
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        entry, count, pos = line.split(" ")
        words[entry] = (int(count), pos)
    mates = _groups()
    real = to_simplified(_realtext())
    names = [n for n in (HERE / "proper_names.txt").read_text(encoding="utf-8").splitlines()
             if n and not n.startswith("#")]
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()

    def reads_as_phrase(wrong: str, k: int) -> bool:
        # 一名惊人 (一名 + 惊人), 在生产 (在 + 生产): the swapped form also reads as correct words.
        tokens = list(tokenizer.cut(wrong, HMM=False))
        if all(len(t) > 1 for t in tokens):
            return True
        edge = tokens[0] if k == 0 else tokens[-1] if k == len(wrong) - 1 else ""
        return len(edge) == 1 and len(tokens) == 2

    rows = [row for name in ("typos.csv", "variants.csv")
            for row in csv.DictReader((HERE / name).open(encoding="utf-8"))]
    known = {row["wrong"]: row["right"] for row in rows if not row["wrong"].startswith("#")}

    def misspelt(word: str) -> bool:
        # jieba's dictionary holds misspelt idioms (万赖俱寂, 暴燥如雷): a known wrong form inside
        # whose correction is another word of the dictionary.
        return word in known or any(w in word and word.replace(w, r) in words for w, r in known.items())

    pairs: dict[str, str] = {}
    for word, (freq, tag) in sorted(words.items()):
        if misspelt(word):
            continue
        idiom = tag == "i" and len(word) == 4 and freq >= MIN_IDIOM_FREQ
        common = tag != "i" and tag[0] in "nvadl" and tag not in PROPER_TAGS and len(word) in (3, 4) \
            and freq >= MIN_WORD_FREQ
        if not (idiom or common):
            continue
        for k, char in enumerate(word):
            for mate in sorted(mates.get(char, ())):
                wrong = word[:k] + mate + word[k + 1:]
                if (wrong in words or wrong in pairs or wrong in real or any(n in wrong for n in names)
                        or reads_as_phrase(wrong, k)):
                    continue
                pairs[wrong] = word
    return sorted(pairs.items(), key=lambda p: (p[1], p[0]))


HEADER = [
    "# 成语、常用词易混字表：jieba 词典（MIT 许可）中的四字成语和常用三、四字词，"
    "将其中一个易混字换成易混写法；"
    "换后的写法若是词典里的词（异形、别称）、也可读作正确的词组、含专名或见于基准实文，则不收。",
    "# source jieba-words: jieba 0.42.1 dict.txt 成语条目（tag i）及常用三、四字词，MIT License，https://github.com/fxsjy/jieba",
    "# source confusable: 易混字组（build_confusion.CONFUSABLE，据校对手册常见别字整理），本项目自编",
]


def main() -> None:
    """Write confusion.csv next to this file."""
    pairs = build()
    with (HERE / "confusion.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["wrong", "right", "level", "script", "source", "exceptions"])
        for line in HEADER:
            writer.writerow([line, "", "", "", "", ""])
        for wrong, right in pairs:
            writer.writerow([wrong, right, "general", "all", "jieba-words+confusable", ""])
    print(f"{len(pairs)} pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
