"""What the checker's /readyz says about its browser: whether inspections run with Chromium."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from services.checker.config import CheckerSettings

# What an inspection cannot do without Chromium (services/checker/inspect/pipeline.py).
WITHOUT_BROWSER = (
    "veto.security 暗链：无法判断链接在页面上是否可见，不检查暗链",
    "脚本生成的页面：首页及仅由脚本生成内容的页面不渲染，其中的内容与链接不参与各项规则",
    "证据截图：veto.security、deduct.links、content.typo、content.personal_info 的问题没有截图",
)


def browser_report(settings: CheckerSettings) -> dict[str, Any]:
    """Say whether inspections run with a browser; when not, why and which rules suffer."""
    path = settings.chromium_path
    if importlib.util.find_spec("playwright") is None:
        why = "未安装 playwright（pip install 'govinspect[browser]'）"
    elif not (os.path.isfile(path) and os.access(path, os.X_OK)):
        why = f"找不到 Chromium 可执行文件 {path}（sudo apt-get install chromium fonts-wqy-microhei）"
    elif not settings.use_browser:
        why = "已按设置关闭浏览器（CHECKER_USE_BROWSER=false）"
    else:
        return {"status": "ok", "chromium": path}
    return {"status": "unavailable", "chromium": path,
            "warning": (f"检查服务在没有浏览器的情况下运行：{why}。以下检查无法进行："
                        + "；".join(WITHOUT_BROWSER)),
            "rules_without_browser": list(WITHOUT_BROWSER)}
