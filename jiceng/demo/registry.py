"""What the demo city plugs into the platform: the demo accounts ``manage.py serve`` announces."""

import os

from jiceng.core.registry import AppRegistry


def serve_banner() -> list[str]:
    from jiceng.demo.generator import DEMO_ACCOUNTS

    password = "（环境变量 JICENG_DEMO_PASSWORD 的值）" if os.environ.get("JICENG_DEMO_PASSWORD") else "jiceng-demo"
    return [
        f"演示账号（密码 {password}）：",
        *(f"  {username:<16}{name}" for username, name, _, _ in DEMO_ACCOUNTS),
        f"  {'admin':<16}系统管理员（/admin/）",
    ]


REGISTRY = AppRegistry(serve_banner="jiceng.demo.registry.serve_banner")
