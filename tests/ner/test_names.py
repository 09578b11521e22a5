"""Splitting runs of person names (kg.ner.names) and its use inside the shipped model."""

from kg.ner.hanlp_engine import HanLPTagger
from kg.ner.models import MODEL_DIR
from kg.ner.names import split_name_run, split_person_spans


def pieces(s, known=()):
    parts = split_name_run(s, set(known))
    return [s[i:j] for i, j in parts] if parts else None


def test_a_run_of_chinese_names_is_split():
    assert pieces("王丙乾程思远王光英") == ["王丙乾", "程思远", "王光英"]
    assert pieces("李鹏乔石刘华清") == ["李鹏", "乔石", "刘华清"]


def test_the_lexicon_decides_between_two_and_three_characters():
    assert pieces("宋平薄一波宋任穷") == ["宋平", "薄一波", "宋任穷"]  # 宋平薄 would leave 一波宋
    assert pieces("王海王群王涛") == ["王海", "王群", "王涛"]
    assert pieces("张震陆文夫陆载德", known={"张震"}) == ["张震", "陆文夫", "陆载德"]


def test_dotted_names_are_kept_whole_inside_a_run():
    assert pieces("张震陆文夫阿木冬·尼牙孜") == ["张震", "陆文夫", "阿木冬·尼牙孜"]
    assert pieces("王丙乾帕巴拉·格列朗杰王光英") == ["王丙乾", "帕巴拉·格列朗杰", "王光英"]


def test_single_names_stay_whole():
    for name in ("克莱门特", "彼得罗夫斯基", "穆罕默德·古奈姆", "约瑟夫·博塔", "欧阳海燕", "阿里西亚·彼特里",
                 "奥克塔维奥·埃拉苏里斯·吉利塞斯蒂", "王光英"):
        assert pieces(name) is None, name
    assert pieces("王光英程思远", known={"王光英程思远"}) is None  # the lexicon knows it as one name
    assert pieces("王光英，程思远") is None  # not a run of names


def test_a_run_the_lexicon_holds_is_split_when_it_knows_each_name():
    """Training corpora tag some lists as one name, so the lexicon holds runs (罗干任建新) next to
    the names they are made of; a single foreign name made of known pieces stays whole."""
    assert pieces("罗干任建新", known={"罗干任建新", "罗干", "任建新"}) == ["罗干", "任建新"]
    assert pieces("江泽民李鹏", known={"江泽民李鹏", "江泽民", "李鹏"}) == ["江泽民", "李鹏"]
    assert pieces("巴特里特", known={"巴特里特", "巴特", "里特"}) is None  # 特: a transliteration
    assert pieces("边巴扎西", known={"边巴扎西", "边巴", "扎西"}) is None  # a Tibetan name


def test_only_the_label_given_is_split():
    text = "王丙乾程思远在北京"
    assert split_person_spans(text, [(0, 6, "PER"), (7, 9, "LOC")], set()) == [
        (0, 3, "PER"), (3, 6, "PER"), (7, 9, "LOC")]
    assert split_person_spans(text, [(0, 6, "ORG")], set()) == [(0, 6, "ORG")]


def test_the_shipped_model_returns_each_name_of_a_list():
    tagger = HanLPTagger(str(MODEL_DIR))
    text = "会见了约瑟夫·博塔和张震陆文夫陆载德。"

    def people():
        return [text[b:e] for b, e, t in tagger.tag([text])[0] if t == "PERSON"]

    assert people() == ["约瑟夫·博塔", "张震", "陆文夫", "陆载德"]
    tagger.component().config.split_names = False  # the network alone joins the run
    assert people() == ["约瑟夫·博塔", "张震陆文夫陆载德"]
