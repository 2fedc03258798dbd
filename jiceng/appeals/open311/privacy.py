"""Personal data in the free text of public Open311 answers (descriptions, status notes), masked.

GeoReport reads are public, so whatever a resident or a clerk typed is read by anyone. Masked
(PIPL §6, §28: minimum necessary; DOMAIN.md §11):

* ID numbers (公民身份号码): 18 digits (the last may be ``X``) and the old 15-digit form; first 3
  and last 4 characters kept, like everywhere else (:func:`jiceng.core.masking.mask_id_number`).
* Mobile numbers: 11 digits starting ``13``–``19``, with or without ``+86``/``0086``/``86``.
* Landlines: an area code (``010``, ``025``, ``0510``, in brackets or not) and a 7–8 digit local
  number; and a bare 7–8 digit local number right after a word saying it is one (电话, 座机, 手机,
  联系方式, 热线, Tel...).
* E-mail addresses: the first character of the name and the domain kept (``z***@example.cn``).
* Names: the reporter's own (given by the caller); a surname with one or two more characters
  before a form of address (``王建国先生`` → ``王**先生``; ``张先生`` stays: a surname alone is how
  the hotlines themselves write it); one to three characters after a word that introduces a
  name (姓名, 联系人, 我叫, 户主...) when the first is a surname: ``联系人张三`` → ``联系人张*``.

Spaces, full-width spaces and dashes inside the numbers are allowed (``138 1234 5678``,
``320102 19900101 1232``, ``025-8456 1234``); full-width digits count as digits (and come back as
ASCII). A landline keeps its area code and last four digits (``025****1234``), a mobile its first
three and last four.

Limits (what is *not* caught): names with no cue (``张三说``) other than the reporter's own; a
name whose surname is not in :data:`SURNAMES`; a phone number split by other characters
(``138.1234.5678``, ``138一二三四5678``) or written in Chinese numerals; QQ and WeChat ids; a bare local number
with no cue word before it (an 8-digit number could as well be a date or an amount). After a
cue the name is taken greedily, so a following character may be masked too
(``联系人张三电话`` → ``联系人张**话``): the answer errs towards masking.
"""

import re

from jiceng.core.masking import mask_id_number, mask_phone

# Characters allowed inside a number: spaces, a full-width space, dashes.
_SEP = r"[ \t\u00a0\u3000\-‐‑–—－]{0,3}"
_D = r"[0-9]"


def _digits(count: int) -> str:
    """``count`` digits with separators allowed between them."""
    return _D + f"(?:{_SEP}{_D}){{{count - 1}}}"


ID_RE = re.compile(rf"(?<![\dXx])(?:[1-9](?:{_SEP}{_D}){{16}}{_SEP}[\dXx]|[1-9](?:{_SEP}{_D}){{14}})(?![\dXx])")
MOBILE_RE = re.compile(rf"(?<!\d)(?:(?:\+|00)?86{_SEP})?1{_SEP}[3-9](?:{_SEP}{_D}){{9}}(?!\d)")
LANDLINE_RE = re.compile(
    rf"(?<!\d)(?P<area>[(（]\s*0\d{{2,3}}\s*[)）]|0\d{{2,3}}){_SEP}(?P<local>[2-9](?:{_SEP}{_D}){{6,7}})(?!\d)"
)
EMAIL_RE = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_PHONE_CUES = r"(?:电话|座机|固话|手机|联系方式|联系电话|热线|号码|Tel|TEL|tel|Phone|phone)"
CUED_NUMBER_RE = re.compile(rf"({_PHONE_CUES}\s*(?:号码)?\s*[:：是为]?\s*)({_digits(7)}(?:{_SEP}\d)?)(?!\d)")

# The commonest surnames (about 85% of the population), single and double.
SURNAMES = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 "
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_DOUBLE = [s for s in SURNAMES.split() if len(s) == 2]
_SINGLE = "".join(SURNAMES.split()[-1])
_SURNAME = "(?:" + "|".join(_DOUBLE) + f"|[{_SINGLE}])"
_HAN = r"[\u4e00-\u9fff]"
_TITLES = r"(?:先生|女士|小姐|阿姨|师傅|大爷|大妈|大娘|大叔|大姐|奶奶|爷爷|老师|同志|老人)"
TITLED_NAME_RE = re.compile(rf"({_SURNAME})({_HAN}{{1,2}})(?={_TITLES})")
_NAME_CUES = r"(?:姓名|联系人|报事人|反映人|来电人|户主|业主|房东|租户|我叫|名叫|我是)"
CUED_NAME_RE = re.compile(rf"({_NAME_CUES}\s*[:：是为]?\s*)({_SURNAME})({_HAN}{{1,2}})")


# Full-width digits and letters of ID numbers typed on a Chinese keyboard, as ASCII.
_ASCII = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def _digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


def _stars(text: str) -> str:
    return "*" * len(text)


def _local(number: str) -> str:
    """A local (landline) number: only its last four digits kept."""
    digits = _digits_of(number)
    return _stars(digits[:-4]) + digits[-4:]


def mask_text(text: str, *names: str) -> str:
    """``text`` with ID numbers, phone numbers and names masked (``names``: known ones, e.g. the reporter's)."""
    text = text or ""
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, name[:1] + _stars(name[1:]))
    text = ID_RE.sub(lambda m: mask_id_number(re.sub(r"[^\dXx]", "", m.group())), text.translate(_ASCII))
    text = MOBILE_RE.sub(lambda m: mask_phone(_digits_of(m.group())[-11:]), text)
    text = LANDLINE_RE.sub(lambda m: _digits_of(m.group("area")) + _local(m.group("local")), text)
    text = CUED_NUMBER_RE.sub(lambda m: m.group(1) + _local(m.group(2)), text)
    text = EMAIL_RE.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = TITLED_NAME_RE.sub(lambda m: m.group(1) + _stars(m.group(2)), text)
    return CUED_NAME_RE.sub(lambda m: m.group(1) + m.group(2) + _stars(m.group(3)), text)
