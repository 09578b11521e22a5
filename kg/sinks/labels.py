"""Chinese names for types, relations and table columns, shared by the HTML page and the exports.

One table so that the page's legend, its side panel and a `--lang zh` spreadsheet say the same
thing. The page shows both ("隶属 BELONGS_TO"); a `--lang zh` table shows the Chinese only.

    >>> bilingual_relation("BELONGS_TO")
    '隶属 BELONGS_TO'
"""

from __future__ import annotations

TYPE_ZH: dict[str, str] = {
    "PERSON": "人物", "ORG": "机构", "LOC": "地点", "DATE": "日期", "EVENT": "事件", "DOCUMENT": "文档",
}
RELATION_ZH: dict[str, str] = {
    "BELONGS_TO": "隶属", "PART_OF": "下属于", "LOCATED_IN": "位于", "EVENT_AT": "发生于", "INVOLVED_IN": "参与",
    "MENTIONED_IN": "提及于",
}
# Table headers (relation rows, entity rows and the build's own CSVs) in Chinese.
COLUMN_ZH: dict[str, str] = {
    "head": "主体", "head_type": "主体类型", "relation": "关系", "role": "职务", "tail": "客体",
    "tail_type": "客体类型", "date": "日期", "iso_date": "标准日期", "document": "文档", "sentence": "句号",
    "evidence": "证据句", "inferred": "推断", "properties": "其他属性", "head_id": "主体ID", "tail_id": "客体ID",
    "name": "名称", "type": "类型", "aliases": "别名", "mention_count": "提及次数", "documents": "所在文档",
    "iso": "标准日期", "description": "描述", "anonymized": "匿名化", "id": "ID",
    "source_id": "主体ID", "target_id": "客体ID", "source_name": "主体", "target_name": "客体",
    "start": "起始", "end": "结束", "text": "文本", "norm": "规范形式", "source": "来源", "entity_id": "实体ID",
    "article": "文章", "kind": "句类", "path": "路径", "encoding": "编码", "sha256": "SHA256", "chars": "字符数",
    "adcode": "行政区划代码", "longitude": "经度", "latitude": "纬度", "date_iso": "标准日期", "replaced": "未解码字节",
}


def bilingual_type(t: str) -> str:
    return f"{TYPE_ZH[t]} {t}" if t in TYPE_ZH else t


def bilingual_relation(r: str) -> str:
    return f"{RELATION_ZH[r]} {r}" if r in RELATION_ZH else r


def header(column: str, lang: str) -> str:
    """A column's header in `lang` ("en": the column name itself)."""
    return COLUMN_ZH.get(column, column) if lang == "zh" else column


def value(text: str, lang: str) -> str:
    """A relation or type name in `lang`; anything else unchanged."""
    if lang != "zh":
        return text
    return RELATION_ZH.get(text, TYPE_ZH.get(text, text))


# Reading a `--lang zh` build folder back: its headers and names to the English ones the code uses.
# Where export and build columns share a Chinese header, the build's column wins (only it is read back).
_BUILD_FIRST = ("source_id", "target_id", "source_name", "target_name", "iso", "document")
_COLUMN_EN = {zh: en for en, zh in COLUMN_ZH.items()} | {COLUMN_ZH[c]: c for c in _BUILD_FIRST}
_VALUE_EN = {zh: en for en, zh in (RELATION_ZH | TYPE_ZH).items()}


def english_row(row: dict) -> dict:
    """A CSV row with Chinese headers (and relation/type names) as written by `--lang zh`, in English."""
    out = {}
    for k, v in row.items():
        k = _COLUMN_EN.get(k, k)
        out[k] = _VALUE_EN.get(v, v) if k in ("relation", "type") else v
    return out
