"""Traditional-script text is matched on its Simplified form with offsets kept."""

from services.checker.support.script import is_traditional, to_simplified


def test_traditional_labels_match_their_simplified_form_at_the_same_offsets() -> None:
    served = "頁面底部：主辦單位：澳門特別行政區政府 網站標識碼：bm01000001"
    simple = to_simplified(served)
    assert "主办单位" in simple and "网站标识码" in simple
    assert len(simple) == len(served)
    start = simple.index("主办单位")
    assert served[start:start + 4] == "主辦單位"


def test_script_is_told_apart() -> None:
    assert is_traditional("本網站由香港特別行政區政府新聞處管理，辦事服務與互動交流欄目")
    assert not is_traditional("本网站由济南市人民政府办公厅主办，办事服务与互动交流栏目")
    assert not is_traditional("")
