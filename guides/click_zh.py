"""Click's own messages in Chinese, for operators who read no English.

Click words its errors and help through gettext (``_("Error: {message}")``, ``Aborted!``,
``Usage:``, ``Missing argument``, …), looked up by the process's locale, which on a server
is usually C or en_US. `install()` gives click's modules a catalog of their message
templates in Simplified Chinese, the way a gettext catalog would, so every error, the
usage line and the help headings read in Chinese whatever the locale. The templates are
translated before formatting, so names and values still appear as typed. Exit codes stay
click's (1 for errors and aborts, 2 for usage errors). No Flask, no Kivy: the guide server's
and the kiosk's command lines both install it, so a technician reads the same words on both.
"""
from __future__ import annotations

import importlib

ZH: dict[str, str] = {
    "Error: {message}": "错误：{message}",
    "Aborted!": "已中止。",
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Try '{command} {option}' for help.": "输入“{command} {option}”查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Did you mean {possibility}?": "您是不是想输入 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（您是不是想输入其中之一：{possibilities}？）",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受取值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个取值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Invalid value: {message}": "取值无效：{message}",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选值 {choices} 之中。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "integer": "整数",
    "float": "数",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 之内。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合格式 {formats} 中的任何一种。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是/否取值。可用：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，应为目录。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录，应为文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "File": "文件",
    "Directory": "目录",
    "Path": "路径",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Error: invalid input": "错误：输入无效",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Repeat for confirmation": "请再输入一次确认",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不再询问，直接确认。",
    "Press any key to continue...": "按任意键继续……",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "deprecated": "已停用",
    "unknown error": "未知错误",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
}

_MODULES = ("click.core", "click.exceptions", "click.decorators", "click.formatting", "click.parser",
            "click.termui", "click.types", "click.utils")


def gettext(message: str) -> str:
    """The Chinese of one click message template (the template itself when not listed)."""
    return ZH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Chinese has one form: the singular's translation (or the plural's, if only it is listed)."""
    return ZH.get(singular if n == 1 else plural, ZH.get(singular, singular if n == 1 else plural))


# Parameter type names appear in messages ("… is not a valid {number_type}") and as metavars
# in help ("--port INTEGER RANGE"); click does not pass them through gettext.
TYPE_NAMES = {"IntParamType": "整数", "IntRange": "整数", "FloatParamType": "数字", "FloatRange": "数字",
              "BoolParamType": "是或否", "StringParamType": "文字", "UUIDParameterType": "UUID",
              "DateTime": "日期时间"}


def install() -> None:
    """Make click speak Chinese in this process (idempotent)."""
    import click.types

    for cls, name in TYPE_NAMES.items():
        getattr(click.types, cls).name = name
    for name in _MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


_ERRNO_ZH = {
    "ENOENT": "不存在", "ENOTDIR": "路径中有一段不是目录", "EISDIR": "是一个目录", "EEXIST": "已经存在",
    "EACCES": "没有权限", "EPERM": "不允许此操作", "ENOSPC": "磁盘空间已满", "EROFS": "文件系统只读",
    "EBUSY": "正被占用", "ENAMETOOLONG": "路径太长", "ELOOP": "符号链接层数过多",
}


def os_error_zh(exc: OSError) -> str:
    """One Chinese sentence for a file-system error: which path, and what is wrong with it."""
    import errno

    what = _ERRNO_ZH.get(errno.errorcode.get(exc.errno or 0, ""), exc.strerror or str(exc))
    where = exc.filename if exc.filename is not None else ""
    return f"无法读写 {where}：{what}（请检查路径和权限）" if where else f"文件读写失败：{what}"


class FriendlyGroup:
    """Mix-in for a click group: an OSError or a database that cannot be opened, wherever a
    command meets it, ends the command with a Chinese message naming the path (exit 1) instead
    of a Python traceback. Commands still report the errors they expect themselves."""

    def invoke(self, ctx):  # noqa: D401 - click's signature
        import click

        try:
            return super().invoke(ctx)
        except OSError as exc:
            raise click.ClickException(os_error_zh(exc)) from None
        except Exception as exc:  # noqa: BLE001 - only the database's connection errors are translated
            if type(exc).__module__.startswith("sqlalchemy") and type(exc).__name__ == "OperationalError":
                where = self.database_hint()
                raise click.ClickException(f"数据库{('（' + where + '）') if where else ''}无法打开或写入："
                                           f"{str(getattr(exc, 'orig', exc))[:200]}"
                                           "（请检查实例目录是否存在且可写，或 DATABASE_URL 是否正确）") from None
            raise

    def database_hint(self) -> str:
        """Where the database the command used is (no password), for the message; "" if unknown."""
        return ""
