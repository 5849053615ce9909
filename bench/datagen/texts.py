"""Composing realistic Chinese names and identifiers from the word lists, from one seeded
``random.Random`` (so a run is reproducible)."""

import datetime
import zoneinfo

from bench.datagen import words
from registry.validators import uscc_check_character

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Companies are numbered; a number always gives the same name and credit code, so the same
# company turns up again in later decisions (repeat offenders, renewed licences).
_TRADE = len(words.TRADE_CHARS)
_MIX = 2_654_435_761  # Knuth's multiplicative hash: consecutive numbers look unrelated
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def date_cn(day):
    return f"{day.year}年{day.month}月{day.day}日"


def money_cn(amount):
    """12345.6 -> '12,345.60'."""
    return f"{amount:,.2f}"


class Texts:
    """Names, identifiers and addresses drawn from ``rng``."""

    def __init__(self, rng):
        self.rng = rng
        self.random = rng.random

    # ``random.choice`` and ``randint`` cost a few Python calls each; these one multiplication
    # (at a million rows with dozens of draws each, it matters).
    def pick(self, sequence):
        return sequence[int(self.random() * len(sequence))]

    def between(self, low, high):
        """An integer in ``low``..``high`` (both included)."""
        return low + int(self.random() * (high - low + 1))

    # ----------------------------------------------------------------- people

    def person(self):
        compound = self.random() < 0.01
        surname = self.pick(words.COMPOUND_SURNAMES if compound else words.SURNAMES)
        given = self.pick(words.GIVEN_CHARS)
        if self.random() < 0.7:
            given += self.pick(words.GIVEN_CHARS)
        return surname + given

    def id_number(self, adult=True):
        """A well-formed (fictitious) resident identity number of the district."""
        year = self.between(1950, 2003) if adult else self.between(2009, 2013)
        birthday = f"{year}{self.between(1, 12):02d}{self.between(1, 28):02d}"
        body = f"500227{birthday}{self.between(0, 999):03d}"
        total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True))
        return body + ID_CHECK[total % 11]

    def phone(self):
        return f"1{self.pick('3578')}{self.between(0, 999_999_999):09d}"

    # ----------------------------------------------------------------- organisations

    def company(self, serial):
        """(name, credit code) of company number ``serial`` (same number, same company)."""
        mixed = (serial * _MIX) % 4_294_967_291
        first = words.TRADE_CHARS[mixed % _TRADE]
        second = words.TRADE_CHARS[(mixed // _TRADE) % _TRADE]
        rest = mixed // (_TRADE * _TRADE)
        industry = words.INDUSTRIES[rest % len(words.INDUSTRIES)]
        rest //= len(words.INDUSTRIES)
        form = words.COMPANY_FORMS[rest % len(words.COMPANY_FORMS)]
        style = (rest // len(words.COMPANY_FORMS)) % 4
        if style == 0:
            name = f"{words.CITY}{words.DISTRICT}{first}{second}{industry}{form}"
        elif style == 1:
            name = f"重庆{first}{second}{industry}{form}"
        elif style == 2:
            name = f"{first}{second}（重庆）{industry}{form}"
        else:
            name = f"重庆市{first}{second}{industry}{form}"
        return name, credit_code("91", serial)

    def individual_business(self, serial, operator):
        """(name, credit code) of a sole trader (个体工商户) run by ``operator``."""
        town = words.TOWNS[serial % len(words.TOWNS)]
        shop = words.SHOP_KINDS[(serial // len(words.TOWNS)) % len(words.SHOP_KINDS)]
        style = serial % 3
        if style == 0:
            name = f"{words.DISTRICT}{town}{operator[0]}记{shop}"
        elif style == 1:
            name = f"{words.DISTRICT}{operator}{shop}"
        else:
            trade = words.TRADE_CHARS[serial % _TRADE] + words.TRADE_CHARS[(serial // 7) % _TRADE]
            name = f"{words.DISTRICT}{town}{trade}{shop}"
        return name, credit_code("92", serial)

    # ----------------------------------------------------------------- places

    def address(self):
        town = self.pick(words.TOWNS)
        if self.random() < 0.5:
            return f"{words.DISTRICT}{town}{self.pick(words.ROADS)}{self.between(1, 999)}号"
        building = f"{self.between(1, 30)}栋{self.between(1, 28)}-{self.between(1, 8)}号"
        return f"{words.DISTRICT}{town}{self.pick(words.COMMUNITIES)}{building}"


def credit_code(category, serial):
    """A GB 32100 code of the district (division 500120): ``91`` companies, ``92`` sole
    traders; the organisation part is the serial."""
    first17 = f"{category}500120MA{serial % 10_000_000:07d}"
    return first17 + uscc_check_character(first17)


def office_time(random, day, earliest=None):
    """A moment in office hours of ``day`` (Asia/Shanghai), after ``earliest``; ``random``
    is a ``random.Random().random``."""
    moment = datetime.datetime(day.year, day.month, day.day, 8, 30, tzinfo=SHANGHAI)
    moment += datetime.timedelta(seconds=int(random() * 9 * 3600))  # 8:30 to 17:30
    if earliest is not None and moment <= earliest:
        moment = earliest + datetime.timedelta(minutes=5 + int(random() * 235))
    return moment
