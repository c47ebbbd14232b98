"""Generate the sample company: a deterministic, realistic set of canonical CSV tables (SPEC §1).

The company sells in CNY (its base currency) to about 300 customers, ~12 % of them export
customers billed in USD, from 2024-01-01 to 2025-12-31. Nothing is dated after 2025-12-31, the
sample's closing date, so the aging at that date shows what a credit manager really faces:
mostly current items, a 1-30 band, and a tail of chronic payers and two defaulters in 121+.

Every random choice comes from `random.Random` streams derived from the seed (never the global
state, never today's date), so one seed gives byte-identical files.

Planted cases (deliberate imperfections a credit manager meets in real data; their ids are
listed in the generated README.md and in `Company.planted`):

* ``overpayment`` - a customer rounded a payment up to the next 100 (CNY); the excess
  joins the customer's pool (SPEC §2.2).
* ``wrong_reference`` - the payment quotes an invoice number that does not exist (a typo);
  one more (``cross_reference``) quotes an invoice of another customer. Both go to the pool
  and are reconciliation exceptions.
* ``duplicate`` + ``refund`` - a customer paid the same invoice twice; the credit balance was
  paid back later by a refund (a negative payment without invoice reference, SPEC §8).
* ``advance`` - customers who paid in advance in December 2025 more than they owe, so they end
  the year with unapplied credit (the only payments dated before the invoices they pay).
* ``write_off`` - old invoices of the two defaulters, written off for their remaining balance.
* credit limits: some customers have none (blank), two have a limit of 0 (cash only, yet they
  got some credit), and ~6 % end 2025 over their limit.
* statements: a few customer-confirmed balances differ from ours (a payment in transit, an
  unexplained amount); the rest agree to the cent.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from reportgen.ledger import open_items
from reportgen.load import load

BASE_CURRENCY = "CNY"
EXPORT_CURRENCY = "USD"
FIRST_DAY = date(2024, 1, 1)
AS_OF = date(2025, 12, 31)  # closing date of the sample: no document is dated after it
N_CUSTOMERS = 300
N_MONTHS = 24  # 2024-01 .. 2025-12
ONE_DAY = timedelta(days=1)

OWNERS_DOMESTIC = ("王丽", "张伟", "李娜", "陈静", "Michael Chen", "Sarah Liu")
OWNERS_EXPORT = ("Michael Chen", "Sarah Liu")
SEGMENTS = ("Retail", "Wholesale", "Manufacturing", "Distributor")
SEGMENT_WEIGHTS = (30, 25, 25, 20)
# Typical invoice in CNY per segment: retail buys often and small, manufacturers in lots.
SEGMENT_TICKET_CNY = {
    "Retail": 3_000,
    "Wholesale": 12_000,
    "Manufacturing": 25_000,
    "Distributor": 18_000,
    "Export": 40_000,
}
TERMS_DOMESTIC = ((30, 45, 60, 0, 15, 90), (40, 25, 20, 3, 7, 5))
TERMS_EXPORT = ((30, 45, 60, 90), (20, 30, 35, 15))

# Payment behaviour: (share of customers, days paid after the due date lo..hi). Defaulters
# are made afterwards; until they default they pay like late payers.
PROFILES = {
    "punctual": (47, (-8, 4)),
    "slightly_late": (25, (5, 20)),
    "late": (17, (20, 60)),
    "chronic": (11, (60, 200)),
}
DEFAULTER_DELAY = (20, 60)
RISK_CLASS = {"punctual": "A", "slightly_late": "B", "late": "C", "chronic": "D", "defaulter": "C"}
# Chance that an invoice is settled in instalments the customer chose (part payments).
PARTIAL_SHARE = {
    "punctual": 0.02,
    "slightly_late": 0.04,
    "late": 0.08,
    "chronic": 0.45,
    "defaulter": 0.10,
}
ON_ACCOUNT_SHARE = 0.065  # payments without remittance advice: no invoice reference
CREDIT_NOTE_SHARE = 0.03
SCHEDULE_SHARE = 0.02
BLANK_DUE_SHARE = 0.03
# The two defaulters stop paying on these dates; sales continue a few weeks until the hold.
DEFAULTS = (date(2025, 3, 20), date(2025, 6, 10))
WRITE_OFF_DATE = date(2025, 12, 15)
WRITE_OFF_DUE_BEFORE = date(2025, 5, 31)  # invoices due by then are deemed uncollectible

COUNTRIES_EXPORT = (
    ("US", ("Inc.", "LLC"), "com"),
    ("DE", ("GmbH",), "de"),
    ("SG", ("Pte. Ltd.",), "sg"),
    ("JP", ("Co., Ltd.",), "jp"),
    ("GB", ("Ltd",), "co.uk"),
    ("AU", ("Pty Ltd",), "com.au"),
    ("NL", ("B.V.",), "nl"),
    ("KR", ("Co., Ltd.",), "co.kr"),
)
EN_PREFIXES = (
    "Golden", "Pacific", "Northern", "Summit", "Evergreen", "Blue River", "Silverline",
    "Harbor", "Apex", "Meridian", "Crescent", "Redwood", "Orion", "Atlas", "Pioneer",
    "Keystone", "Horizon", "Lakeside", "Sterling", "Granite", "Bright Star", "Unity",
)  # fmt: skip
EN_INDUSTRIES = (
    "Trading", "Electronics", "Supplies", "Industries", "Logistics", "Foods", "Components",
    "Packaging", "Textiles", "Hardware", "Machinery", "Retail", "Materials", "Instruments",
)  # fmt: skip
CN_CITIES = (
    ("上海", "Shanghai"), ("北京", "Beijing"), ("广州", "Guangzhou"), ("深圳", "Shenzhen"),
    ("杭州", "Hangzhou"), ("苏州", "Suzhou"), ("南京", "Nanjing"), ("天津", "Tianjin"),
    ("成都", "Chengdu"), ("武汉", "Wuhan"), ("宁波", "Ningbo"), ("青岛", "Qingdao"),
    ("厦门", "Xiamen"), ("东莞", "Dongguan"),
)  # fmt: skip
CN_BRANDS = (
    ("华东", "huadong"), ("恒信", "hengxin"), ("鑫达", "xinda"), ("宏远", "hongyuan"),
    ("金桥", "jinqiao"), ("盛世", "shengshi"), ("永泰", "yongtai"), ("长城", "changcheng"),
    ("瑞丰", "ruifeng"), ("嘉禾", "jiahe"), ("中联", "zhonglian"), ("新世纪", "xinshiji"),
    ("东方", "dongfang"), ("汇通", "huitong"), ("博创", "bochuang"), ("佳美", "jiamei"),
)  # fmt: skip
CN_INDUSTRIES = (
    ("贸易", "trade"), ("电子", "dianzi"), ("机械", "jixie"), ("五金", "wujin"),
    ("化工", "huagong"), ("包装", "baozhuang"), ("纺织", "fangzhi"), ("食品", "shipin"),
    ("物流", "wuliu"), ("科技", "tech"), ("建材", "jiancai"), ("塑料", "suliao"),
)  # fmt: skip

METHODS_DOMESTIC = (("bank_transfer", "acceptance_bill", "cheque", "card"), (65, 18, 10, 7))
METHODS_EXPORT = (("bank_transfer", "letter_of_credit"), (88, 12))

OVERDUE_REASONS = (
    "financial_difficulty", "forgot", "dispute", "service_issue", "communication", "other",
)  # fmt: skip
REASON_WEIGHTS = {
    "slightly_late": (5, 40, 10, 10, 30, 5),
    "late": (25, 10, 25, 20, 15, 5),
    "chronic": (60, 5, 10, 10, 5, 10),
    "defaulter": (100, 0, 0, 0, 0, 0),
}
NOTES = {
    "en": {
        "reminder": "Payment reminder sent for {inv}.",
        "email": "Statement of overdue items emailed to accounts payable.",
        "letter": "Formal overdue notice sent by post.",
        "visit": "Visited the finance manager to discuss the overdue balance.",
        "legal": "Account handed to legal counsel for recovery.",
        "promise": "Promised to pay {amt} by {date}.",
        "no_answer": "No answer; left a message.",
        "dispute": "Dispute logged on {inv}: {why}",
    },
    "zh": {
        "reminder": "已发送付款提醒：{inv}。",
        "email": "已将逾期对账单发送至客户财务。",
        "letter": "已寄送正式催款函。",
        "visit": "上门拜访客户财务经理，沟通逾期款项。",
        "legal": "已移交法务部门处理。",
        "promise": "客户承诺于{date}前支付{amt}。",
        "no_answer": "电话无人接听，已留言。",
        "dispute": "登记争议（{inv}）：{why}",
    },
}
REASON_NOTES = {
    "en": {
        "financial_difficulty": "Customer says cash flow is tight and asks for more time.",
        "forgot": "AP clerk overlooked the invoice; payment will be scheduled.",
        "dispute": "Customer disputes the price charged; contract terms sent.",
        "service_issue": "Customer reports damaged goods in the delivery.",
        "communication": "Customer had not received the invoice; copy resent.",
        "other": "Payment waiting for internal approval at the customer.",
    },
    "zh": {
        "financial_difficulty": "客户表示资金周转困难，请求延期付款。",
        "forgot": "客户财务漏付，答应尽快安排付款。",
        "dispute": "客户对开票价格有异议，已提供合同条款。",
        "service_issue": "客户反映部分货物到货破损。",
        "communication": "客户称未收到发票，已重新寄送。",
        "other": "客户内部付款审批尚未完成。",
    },
}


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass
class Customer:
    customer_id: str
    name: str
    language: str  # "zh" or "en": the language the collector writes notes in
    segment: str
    owner: str
    country: str
    currency: str
    terms: int
    email: str
    profile: str  # payment behaviour, drives when and how the customer pays
    reason: str  # the customer's usual overdue reason when late
    weight: float  # relative buying volume (a few big accounts, many small)
    ticket: int  # typical invoice, in cents of the customer's currency
    method: str  # the payment method the customer usually uses
    first_month: int  # 0..23: month of the first sale (new customers join over time)
    last_month: int  # 0..23: month of the last sale (churn, credit hold)
    risk_class: str = ""
    credit_limit: int | None = None  # cents of base currency; None = no limit
    default_date: date | None = None  # a defaulter pays nothing from this date on


@dataclass
class Invoice:
    invoice_id: str
    customer: Customer
    invoice_date: date
    due_date: date
    amount: int  # cents of the customer's currency
    show_due: bool = True  # False: due_date left blank for the loader to derive from terms
    copy_of: str = ""  # planted: the invoice this one duplicates (keyed twice)
    instalments: list[tuple[date, int]] = field(default_factory=list)  # empty = one instalment
    # Planned reductions (date, cents, is_payment): what the customer actually did about it,
    # used to write a collection history that matches the ledger.
    settlements: list[tuple[date, int, bool]] = field(default_factory=list)


@dataclass
class Payment:
    customer: Customer
    payment_date: date
    amount: int  # cents; negative only for refunds
    invoice_id: str  # "" = payment on account (no remittance advice)
    method: str
    tag: str = ""  # planted case, see module docstring
    payment_id: str = ""


@dataclass
class CreditNote:
    customer: Customer
    date: date
    amount: int
    invoice_id: str
    type: str  # credit_note or write_off
    credit_note_id: str = ""


@dataclass
class Activity:
    customer: Customer
    date: date
    type: str
    invoice_id: str = ""
    amount: int | None = None
    promised_date: date | None = None
    reason: str = ""
    outcome: str = ""
    note: str = ""
    activity_id: str = ""


@dataclass(frozen=True)
class Case:
    """A reconciliation exception planted on purpose: what `reportgen reconcile` reports at D,
    for D among `RECONCILED_DATES`, from `since` on (until the day before `until`): category,
    customer, documents and, where it does not depend on D's exchange rate, the amount (base
    currency cents)."""

    category: str
    customer_id: str | None
    documents: tuple[str, ...]
    since: date
    until: date | None = None
    amount: int | None = None

    def found_at(self, as_of: date) -> bool:
        return self.since <= as_of and (self.until is None or as_of < self.until)


@dataclass
class Company:
    customers: list[Customer]
    invoices: list[Invoice]
    fx: dict[date, int]  # CNY per USD in ten-thousandths
    payments: list[Payment] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    statements: list[tuple[str, date, int]] = field(default_factory=list)
    open_orders: list[tuple[str, int]] = field(default_factory=list)
    planted: dict[str, list[str]] = field(default_factory=dict)
    statement_notes: list[str] = field(default_factory=list)
    statement_customers: list[str] = field(default_factory=list)  # who confirms balances
    gl_journals: list[tuple[date, int, str]] = field(default_factory=list)  # GL-only postings
    cases: list[Case] = field(default_factory=list)  # what reconcile finds, see Case


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _rng(seed: int, stage: str) -> random.Random:
    """An independent stream per stage, so a change in one stage leaves the others' data alone."""
    return random.Random(f"reportgen-sample:{seed}:{stage}")


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _pretty(cents: int) -> str:
    """Amount with thousands separators, for notes a collector writes."""
    return f"{cents // 100:,}.{cents % 100:02d}"


def _business_day(d: date) -> date:
    """Banks book on weekdays: a weekend date moves to the Monday."""
    while d.weekday() >= 5:
        d += ONE_DAY
    return d


def _month_start(index: int) -> date:
    return date(FIRST_DAY.year + index // 12, index % 12 + 1, 1)


def _month_index(d: date) -> int:
    """0 for 2024-01 .. 23 for 2025-12."""
    return (d.year - FIRST_DAY.year) * 12 + d.month - 1


def _month_days(index: int) -> list[date]:
    start, end = _month_start(index), _month_start(index + 1)
    return [start + timedelta(days=k) for k in range((end - start).days)]


def _round_units(cents: float, unit: int = 100) -> int:
    """Round to whole currency units (customers pay and accountants book round figures)."""
    return max(unit, (int(cents) + unit // 2) // unit * unit)


def _nice(cents: int, *, up: bool) -> int:
    """Round a credit limit to the step a credit committee would approve."""
    step = 100_000 if cents < 5_000_000 else 1_000_000 if cents < 50_000_000 else 5_000_000
    return -(-cents // step) * step if up else cents // step * step


def _to_base(company: Company, customer: Customer, cents: int, at: date) -> int:
    """Convert to CNY at the rate of `at`, rounding half-up to the cent (SPEC §8)."""
    if customer.currency == BASE_CURRENCY:
        return cents
    rate = company.fx[at]
    sign = -1 if cents < 0 else 1
    return sign * ((abs(cents) * rate + 5_000) // 10_000)


def _balance(company: Company, customer: Customer, at: date) -> int:
    """What the customer owes at `at`: invoices − payments − credit notes dated ≤ at."""
    owed = sum(
        i.amount for i in company.invoices if i.customer is customer and i.invoice_date <= at
    )
    paid = sum(
        p.amount for p in company.payments if p.customer is customer and p.payment_date <= at
    )
    credited = sum(
        c.amount for c in company.credit_notes if c.customer is customer and c.date <= at
    )
    return owed - paid - credited


def _balances(company: Company, at: date) -> dict[str, int]:
    """Every customer's balance at `at`, in one pass over the documents."""
    result: dict[str, int] = {c.customer_id: 0 for c in company.customers}
    for i in company.invoices:
        if i.invoice_date <= at:
            result[i.customer.customer_id] += i.amount
    for p in company.payments:
        if p.payment_date <= at:
            result[p.customer.customer_id] -= p.amount
    for c in company.credit_notes:
        if c.date <= at:
            result[c.customer.customer_id] -= c.amount
    return result


# --------------------------------------------------------------------------------------------
# Exchange rates
# --------------------------------------------------------------------------------------------

# CNY per USD: roughly the path of 2024-2025 (a rise, a dip in September 2024, a slow decline).
FX_ANCHORS = (
    (date(2023, 12, 31), 7.1000),
    (date(2024, 6, 30), 7.2700),
    (date(2024, 9, 27), 7.0300),
    (date(2025, 1, 15), 7.3200),
    (date(2025, 6, 30), 7.1700),
    (date(2025, 12, 31), 7.0600),
)


def _fx_rates(rng: random.Random) -> dict[date, int]:
    """A daily USD rate from 2023-12-31 to the closing date, so every D has a rate ≤ D."""
    rates: dict[date, int] = {}
    noise = 0.0
    for (d0, r0), (d1, r1) in zip(FX_ANCHORS, FX_ANCHORS[1:], strict=False):
        span = (d1 - d0).days
        for k in range(span + (1 if d1 == AS_OF else 0)):
            noise = 0.85 * noise + rng.gauss(0, 0.006)
            level = r0 + (r1 - r0) * k / span + noise
            rates[d0 + timedelta(days=k)] = round(min(7.35, max(7.0, level)) * 10_000)
    return rates


# --------------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------------


def _names(rng: random.Random, kinds: Sequence[str]) -> list[tuple[str, str, str]]:
    """(name, email, country) per customer kind, unique names drawn without replacement."""
    cn_combos = [(b, i) for b in CN_BRANDS for i in CN_INDUSTRIES]
    en_combos = [(p, i) for p in EN_PREFIXES for i in EN_INDUSTRIES]
    rng.shuffle(cn_combos)
    rng.shuffle(en_combos)
    out = []
    for kind in kinds:
        if kind == "zh":
            (brand, brand_py), (ind, ind_py) = cn_combos.pop()
            city = rng.choice(CN_CITIES)[0]
            suffix = rng.choices(("有限公司", "股份有限公司"), (85, 15))[0]
            local = rng.choice(("cw", "finance", "caiwu"))
            out.append((f"{city}{brand}{ind}{suffix}", f"{local}@{brand_py}{ind_py}.com.cn", "CN"))
            continue
        prefix, ind = en_combos.pop()
        slug = f"{prefix}{ind}".lower().replace(" ", "")
        local = rng.choice(("ap", "accounts", "finance"))
        if kind == "export":
            country, suffixes, tld = rng.choice(COUNTRIES_EXPORT)
            name = f"{prefix} {ind} {rng.choice(suffixes)}"
        else:  # a Chinese company with an English trade name
            country, tld = "CN", "com.cn"
            name = f"{prefix} {ind} ({rng.choice(CN_CITIES)[1]}) Co., Ltd."
        out.append((name, f"{local}@{slug}.{tld}", country))
    return out


def _profile(rng: random.Random) -> str:
    names = list(PROFILES)
    return rng.choices(names, [PROFILES[n][0] for n in names])[0]


def _customer(rng: random.Random, number: int, kind: str, naming: tuple[str, str, str]) -> Customer:
    name, email, country = naming
    export = kind == "export"
    segment = "Export" if export else rng.choices(SEGMENTS, SEGMENT_WEIGHTS)[0]
    terms_pool = TERMS_EXPORT if export else TERMS_DOMESTIC
    currency = EXPORT_CURRENCY if export else BASE_CURRENCY
    profile = _profile(rng)
    weight = rng.lognormvariate(0, 1.25)
    # Bigger accounts also buy in bigger lots; USD customers are invoiced in USD.
    ticket_cny = SEGMENT_TICKET_CNY[segment] * weight**0.3 * rng.lognormvariate(0, 0.4)
    ticket = int(ticket_cny * 100 / (7.2 if export else 1.0))
    methods = METHODS_EXPORT if export else METHODS_DOMESTIC
    first = 0 if rng.random() < 0.8 else rng.randint(1, 21)  # new customers join over time
    last = N_MONTHS - 1 if rng.random() < 0.96 else rng.randint(max(first, 6), 20)  # churn
    return Customer(
        customer_id=f"C{number:04d}",
        name=name,
        language="zh" if kind == "zh" else "en",
        segment=segment,
        owner=rng.choice(OWNERS_EXPORT if export else OWNERS_DOMESTIC),
        country=country,
        currency=currency,
        terms=rng.choices(*terms_pool)[0],
        email=email,
        profile=profile,
        reason="",
        weight=weight,
        ticket=max(ticket, 20_000),
        method=rng.choices(*methods)[0],
        first_month=first,
        last_month=last,
    )


def _make_defaulters(rng: random.Random, customers: list[Customer]) -> None:
    """Two mid-sized domestic customers who stop paying in 2025 (then are put on hold)."""
    ranked = sorted(
        (c for c in customers if c.currency == BASE_CURRENCY and c.first_month == 0),
        key=lambda c: -c.weight,
    )
    for customer, stop in zip(rng.sample(ranked[20:100], 2), DEFAULTS, strict=True):
        customer.profile = "defaulter"
        customer.default_date = stop
        customer.terms = rng.choice((45, 60))
        customer.last_month = _month_index(stop) + 1  # the credit hold comes a month late


def _assign_reasons(rng: random.Random, customers: list[Customer]) -> None:
    """Each late customer has a usual overdue reason; the first ones cycle through all six so
    every reason occurs in the collection history."""
    late = [c for c in customers if c.profile != "punctual"]
    for k, c in enumerate(late):
        if k < 2 * len(OVERDUE_REASONS) and c.profile != "defaulter":
            c.reason = OVERDUE_REASONS[k % len(OVERDUE_REASONS)]
        else:
            c.reason = rng.choices(OVERDUE_REASONS, REASON_WEIGHTS[c.profile])[0]


def _risk_classes(rng: random.Random, customers: list[Customer]) -> None:
    """The rating mostly reflects how the customer pays, with the usual lag and noise."""
    for c in customers:
        c.risk_class = RISK_CLASS[c.profile]
        if rng.random() < 0.15:
            c.risk_class = rng.choice("ABCD")


def _customers(rng: random.Random) -> list[Customer]:
    n_export = round(N_CUSTOMERS * 0.12)
    n_zh = round(N_CUSTOMERS * 0.40)
    kinds = ["export"] * n_export + ["zh"] * n_zh + ["en"] * (N_CUSTOMERS - n_export - n_zh)
    rng.shuffle(kinds)
    names = _names(rng, kinds)
    customers = [_customer(rng, k + 1, kind, names[k]) for k, kind in enumerate(kinds)]
    _make_defaulters(rng, customers)
    _assign_reasons(rng, customers)
    _risk_classes(rng, customers)
    return customers


# --------------------------------------------------------------------------------------------
# Invoices
# --------------------------------------------------------------------------------------------

# Sales seasonality: Spring Festival dip in February, Golden Week in October, a year-end peak.
SEASON = (1.0, 0.7, 1.05, 1.0, 1.0, 1.05, 0.95, 0.95, 1.1, 0.9, 1.2, 1.15)
GROWTH_2025 = 1.08


def _invoice_dates(rng: random.Random, n: int) -> list[date]:
    """n invoice dates on business days, spread over the 24 months with seasonality."""
    weekdays = [[d for d in _month_days(m) if d.weekday() < 5] for m in range(N_MONTHS)]
    weights = [
        SEASON[m % 12] * (GROWTH_2025 if m >= 12 else 1.0) * len(weekdays[m])
        for m in range(N_MONTHS)
    ]
    months = rng.choices(range(N_MONTHS), weights, k=n)
    return sorted(rng.choice(weekdays[m]) for m in months)


def _pick_customers(
    rng: random.Random, customers: list[Customer], dates: list[date]
) -> list[Customer]:
    """Who bought on each date: weighted by volume among customers active that month."""
    by_month: dict[int, list[int]] = defaultdict(list)
    for k, d in enumerate(dates):
        by_month[_month_index(d)].append(k)
    buyers: list[Customer] = [customers[0]] * len(dates)
    for month, slots in sorted(by_month.items()):
        active = [c for c in customers if c.first_month <= month <= c.last_month]
        for k, c in zip(
            slots, rng.choices(active, [c.weight for c in active], k=len(slots)), strict=True
        ):
            buyers[k] = c
    _give_everyone_a_sale(rng, customers, dates, buyers)
    return buyers


def _give_everyone_a_sale(
    rng: random.Random, customers: list[Customer], dates: list[date], buyers: list[Customer]
) -> None:
    """A customer master record without any sale is not realistic: give each customer that got
    none one invoice of a busy customer (when there are enough invoices to go round)."""
    if len(dates) < 4 * len(customers):
        return
    counts: dict[str, int] = defaultdict(int)
    for b in buyers:
        counts[b.customer_id] += 1
    for c in customers:
        if counts[c.customer_id]:
            continue
        window = [
            k for k, d in enumerate(dates)
            if c.first_month <= _month_index(d) <= c.last_month
            and counts[buyers[k].customer_id] > 20
        ]  # fmt: skip
        if window:
            k = rng.choice(window)
            counts[buyers[k].customer_id] -= 1
            buyers[k] = c
            counts[c.customer_id] += 1


def _invoice_amount(rng: random.Random, customer: Customer) -> int:
    """Cents: the customer's typical lot with spread; many invoices are whole units."""
    cents = max(5_000, int(customer.ticket * rng.lognormvariate(0, 0.55)))
    return cents // 100 * 100 if rng.random() < 0.4 else cents


def _invoices(rng: random.Random, customers: list[Customer], n: int) -> list[Invoice]:
    dates = _invoice_dates(rng, n)
    buyers = _pick_customers(rng, customers, dates)
    rows = sorted(zip(dates, buyers, strict=True), key=lambda r: (r[0], r[1].customer_id))
    invoices: list[Invoice] = []
    sequence: dict[int, int] = defaultdict(int)
    sold: set[tuple[str, date, int]] = set()
    for d, c in rows:
        sequence[d.year] += 1
        amount = _invoice_amount(rng, c)
        # Two sales of one amount to one customer on one day look like an invoice keyed twice
        # (a reconciliation exception): only the planted duplicate may look like that.
        while (c.customer_id, d, amount) in sold:
            amount += 100
        sold.add((c.customer_id, d, amount))
        invoices.append(
            Invoice(
                invoice_id=f"INV-{d.year}-{sequence[d.year]:06d}",
                customer=c,
                invoice_date=d,
                due_date=d + timedelta(days=c.terms),
                amount=amount,
                show_due=rng.random() >= BLANK_DUE_SHARE,
            )
        )
    return invoices


def _schedules(rng: random.Random, invoices: list[Invoice]) -> None:
    """About 2 % of the large invoices are sold on instalments (2-4 monthly parts). The parts
    sum exactly to the invoice: the last one absorbs the rounding."""
    eligible = [i for i in invoices if i.customer.terms > 0]
    if not eligible:
        return
    threshold = sorted(
        i.amount * (7 if i.customer.currency != BASE_CURRENCY else 1) for i in eligible
    )
    cut = threshold[int(len(threshold) * 0.8)]
    large = [
        i for i in eligible
        if i.amount * (7 if i.customer.currency != BASE_CURRENCY else 1) >= cut
    ]  # fmt: skip
    for inv in rng.sample(large, min(len(large), round(len(invoices) * SCHEDULE_SHARE))):
        parts = rng.choice((2, 2, 3, 3, 4))
        share = inv.amount // parts
        amounts = [share] * (parts - 1) + [inv.amount - share * (parts - 1)]
        inv.instalments = [
            (inv.due_date + timedelta(days=30 * k), a) for k, a in enumerate(amounts)
        ]


# --------------------------------------------------------------------------------------------
# Settlement: payments and credit notes
# --------------------------------------------------------------------------------------------


def _delay(rng: random.Random, profile: str) -> int:
    """Days between due date and payment for this customer's behaviour."""
    lo, hi = DEFAULTER_DELAY if profile == "defaulter" else PROFILES[profile][1]
    if profile == "punctual":
        return round(rng.triangular(lo, hi, 0))  # around the due date, a few days either side
    return rng.randint(lo, hi)


def _method(rng: random.Random, customer: Customer, amount: int) -> str:
    """Usually the customer's habit; bank acceptance bills only for large domestic amounts and
    cards only for small ones."""
    pool = METHODS_EXPORT if customer.currency != BASE_CURRENCY else METHODS_DOMESTIC
    method = customer.method if rng.random() < 0.8 else rng.choices(*pool)[0]
    if method == "acceptance_bill" and amount < 5_000_000:
        return "bank_transfer"
    if method == "card" and amount > 3_000_000:
        return "bank_transfer"
    return method


def _can_pay(customer: Customer, when: date) -> bool:
    """Nothing is paid after the closing date, and a defaulter pays nothing after default."""
    if when > AS_OF:
        return False
    return customer.default_date is None or when < customer.default_date


def _pay(
    company: Company, rng: random.Random, inv: Invoice, when: date, cents: int, ref: bool
) -> None:
    c = inv.customer
    company.payments.append(
        Payment(c, when, cents, inv.invoice_id if ref else "", _method(rng, c, cents))
    )
    inv.settlements.append((when, cents, True))


def _credit_note(company: Company, rng: random.Random, inv: Invoice) -> int:
    """Returns and price adjustments on ~3 % of invoices; returns the amount credited."""
    when = _business_day(inv.invoice_date + timedelta(days=rng.randint(3, 35)))
    if when > AS_OF:
        return 0
    if rng.random() < 0.12:
        cents = inv.amount  # the whole delivery came back
    else:
        cents = max(100, inv.amount * rng.randint(300, 3_000) // 10_000)
    referenced = inv.customer.profile == "defaulter" or rng.random() < 0.85
    company.credit_notes.append(
        CreditNote(inv.customer, when, cents, inv.invoice_id if referenced else "", "credit_note")
    )
    inv.settlements.append((when, cents, False))
    return cents


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """Part payments in round figures, the last one clearing the rest."""
    amounts: list[int] = []
    rest = total
    for k in range(parts - 1):
        share = _round_units(
            rest * rng.uniform(0.3, 0.65) if k == 0 else rest * rng.uniform(0.4, 0.6)
        )
        if share >= rest:
            break
        amounts.append(share)
        rest -= share
    return [*amounts, rest]


def _settle_plain(company: Company, rng: random.Random, inv: Invoice) -> None:
    """One invoice without schedule: maybe a credit note, then one payment or several parts."""
    c = inv.customer
    rest = inv.amount
    if rng.random() < CREDIT_NOTE_SHARE:
        rest -= _credit_note(company, rng, inv)
    if rest <= 0:
        return
    first = _business_day(
        max(inv.invoice_date, inv.due_date + timedelta(days=_delay(rng, c.profile)))
    )
    if rng.random() >= PARTIAL_SHARE[c.profile]:
        if _can_pay(c, first):
            on_account = c.profile != "defaulter" and rng.random() < ON_ACCOUNT_SHARE
            _pay(company, rng, inv, first, rest, ref=not on_account)
        return
    parts = _split(rng, rest, rng.choice((2, 2, 3)))
    # Chronic payers often leave a remainder unpaid for good (short payment, small dispute).
    if c.profile == "chronic" and len(parts) > 1 and rng.random() < 0.25:
        parts = parts[:-1]
    gap = (30, 90) if c.profile == "chronic" else (14, 45)
    when = first
    for cents in parts:
        if not _can_pay(c, when):
            break
        _pay(company, rng, inv, when, cents, ref=True)
        when = _business_day(when + timedelta(days=rng.randint(*gap)))


def _settle_schedule(company: Company, rng: random.Random, inv: Invoice) -> None:
    """Instalment invoices are paid instalment by instalment, each referencing the invoice;
    instalments paid on the same day go in one transfer (two equal transfers quoting one invoice
    on one day would look like a receipt booked twice)."""
    for due, cents in inv.instalments:
        when = _business_day(
            max(inv.invoice_date, due + timedelta(days=_delay(rng, inv.customer.profile)))
        )
        if not _can_pay(inv.customer, when):
            break
        if inv.settlements and inv.settlements[-1][0] == when:
            _method(rng, inv.customer, cents)  # drawn all the same: later choices stay put
            company.payments[-1].amount += cents
            inv.settlements[-1] = (when, inv.settlements[-1][1] + cents, True)
            continue
        _pay(company, rng, inv, when, cents, ref=True)


def _settle(company: Company, rng: random.Random) -> None:
    for inv in company.invoices:
        if inv.instalments:
            _settle_schedule(company, rng, inv)
        else:
            _settle_plain(company, rng, inv)


# --------------------------------------------------------------------------------------------
# Planted cases
# --------------------------------------------------------------------------------------------


def _clean_single_payments(company: Company, customers: set[str]) -> list[Payment]:
    """Ordinary referenced payments that settle their whole invoice in one go, for customers
    not already used by another planted case."""
    by_invoice: dict[str, list[Payment]] = defaultdict(list)
    for p in company.payments:
        if p.invoice_id:
            by_invoice[p.invoice_id].append(p)
    invoices = {i.invoice_id: i for i in company.invoices}
    out = []
    for inv_id, pays in by_invoice.items():
        inv = invoices.get(inv_id)
        p = pays[0]
        if (
            inv is not None
            and len(pays) == 1
            and not p.tag
            and p.amount == inv.amount
            and len(inv.settlements) == 1
            and p.customer.profile in ("punctual", "slightly_late")
            and p.customer.customer_id not in customers
            and p.payment_date >= date(2024, 3, 1)
        ):
            out.append(p)
    return out


def _plant_overpayments(company: Company, rng: random.Random, used: set[str], k: int = 5) -> None:
    """The customer rounded the payment up to the next 100 CNY: a small excess on account."""
    pool = [
        p for p in _clean_single_payments(company, used)
        if p.customer.currency == BASE_CURRENCY and p.amount % 10_000
    ]  # fmt: skip
    for p in rng.sample(pool, min(k, len(pool))):
        p.amount = -(-p.amount // 10_000) * 10_000
        p.tag = "overpayment"
        used.add(p.customer.customer_id)


def _typo(invoice_id: str, existing: set[str], rng: random.Random) -> str:
    """A plausible mistyped invoice number that does not exist: a wrong year, a dropped digit,
    a missing hyphen, or two swapped digits."""
    _, year, seq = invoice_id.split("-")
    swapped = [
        f"INV-{year}-{seq[:k]}{seq[k + 1]}{seq[k]}{seq[k + 2 :]}"
        for k in range(2, len(seq) - 1)
        if seq[k] != seq[k + 1]
    ]
    candidates = [
        f"INV-{int(year) - 1}-{seq}",
        f"INV-{year}-{seq[1:]}",
        f"INV{year}-{seq}",
        *swapped,
    ]
    rng.shuffle(candidates)
    return next(c for c in candidates if c not in existing)


def _plant_wrong_references(
    company: Company, rng: random.Random, used: set[str], k: int = 4, cross: int = 2
) -> None:
    """Payments quoting a non-existent invoice number, and some quoting another customer's."""
    existing = {i.invoice_id for i in company.invoices}
    pool = _clean_single_payments(company, used)
    chosen = rng.sample(pool, min(k + cross, len(pool)))
    for p in chosen[:k]:
        p.invoice_id = _typo(p.invoice_id, existing, rng)
        p.tag = "wrong_reference"
        used.add(p.customer.customer_id)
    for p in chosen[k:]:
        others = [
            i for i in company.invoices
            if i.customer is not p.customer and i.invoice_date <= p.payment_date
        ]  # fmt: skip
        p.invoice_id = others[-1].invoice_id  # a neighbouring number on the remittance advice
        p.tag = "cross_reference"
        used.add(p.customer.customer_id)


def _plant_refunds(company: Company, rng: random.Random, used: set[str], k: int = 2) -> None:
    """A customer paid an invoice twice; once the credit balance is confirmed, we pay it back.
    Chosen so the customer really is in credit by at least the refund on the refund date."""
    pool = [
        p for p in _clean_single_payments(company, used) if p.payment_date <= date(2025, 10, 31)
    ]
    rng.shuffle(pool)
    done = 0
    for p in pool:
        if done == k or p.customer.customer_id in used:
            continue
        again = _business_day(p.payment_date + timedelta(days=rng.randint(3, 10)))
        refund_day = _business_day(again + timedelta(days=rng.randint(10, 25)))
        if _balance(company, p.customer, refund_day) > 0:
            continue  # other open items would absorb the duplicate: no credit balance to refund
        company.payments.append(
            Payment(p.customer, again, p.amount, p.invoice_id, p.method, "duplicate")
        )
        company.payments.append(
            Payment(p.customer, refund_day, -p.amount, "", "bank_transfer", "refund")
        )
        used.add(p.customer.customer_id)
        done += 1


def _plant_advances(company: Company, rng: random.Random, used: set[str]) -> None:
    """One export and one domestic customer pay in advance for next year's orders: more than
    they owe, so they close 2025 with a credit balance (unapplied cash)."""
    last_paid: dict[str, date] = {}
    for p in company.payments:
        last_paid[p.customer.customer_id] = max(
            p.payment_date, last_paid.get(p.customer.customer_id, p.payment_date)
        )
    for currency in (EXPORT_CURRENCY, BASE_CURRENCY):
        # the advance is the customer's latest payment, so it is the money left on account
        pool = [
            c for c in company.customers
            if c.currency == currency and c.profile == "punctual"
            and c.customer_id not in used and c.last_month == N_MONTHS - 1
            and last_paid.get(c.customer_id, FIRST_DAY) < date(2025, 12, 10)
        ]  # fmt: skip
        if not pool:
            continue
        c = rng.choice(pool)
        when = _business_day(date(2025, 12, rng.randint(10, 22)))
        owed = max(0, _balance(company, c, AS_OF))
        deposit = _round_units(c.ticket * rng.randint(2, 4), 100_000)
        company.payments.append(Payment(c, when, owed + deposit, "", "bank_transfer", "advance"))
        used.add(c.customer_id)


def _write_offs(company: Company) -> None:
    """The defaulters' invoices due before June 2025 are written off for what is left on them."""
    for inv in company.invoices:
        c = inv.customer
        if c.profile != "defaulter" or inv.due_date > WRITE_OFF_DUE_BEFORE:
            continue
        rest = inv.amount - sum(s[1] for s in inv.settlements)
        if rest > 0:
            company.credit_notes.append(
                CreditNote(c, WRITE_OFF_DATE, rest, inv.invoice_id, "write_off")
            )
            inv.settlements.append((WRITE_OFF_DATE, rest, False))


def _without_pool(company: Company) -> set[str]:
    """Customers all of whose payments and credit notes quote an invoice: nothing of theirs
    goes to the pool, so FIFO never moves an open residue from one invoice to another."""
    pooling = {p.customer.customer_id for p in company.payments if not p.invoice_id}
    pooling |= {n.customer.customer_id for n in company.credit_notes if not n.invoice_id}
    return {c.customer_id for c in company.customers} - pooling


def _quiet_payments(company: Company, used: set[str]) -> list[Payment]:
    """Clean single payments (see `_clean_single_payments`) of domestic customers who confirm
    no statements and have no pool: a planted case there changes nothing else."""
    quiet = _without_pool(company) - set(company.statement_customers)
    return [
        p for p in _clean_single_payments(company, used)
        if p.customer.currency == BASE_CURRENCY and p.customer.customer_id in quiet
    ]  # fmt: skip


# Bank charges a remitting bank deducts (CNY cents); with the dropped cents, the short payments.
BANK_CHARGES = (1_500, 2_000, 2_500, 5_000)


def _plant_short_payments(company: Company, rng: random.Random, used: set[str], k: int = 4) -> None:
    """Invoices paid short and never topped up: the bank deducted its charges from the
    transfer, or the customer dropped the cents. Each residue is within the reconciliation
    tolerance (the larger of 1.00 and 0.5 % of the invoice)."""
    invoices = {i.invoice_id: i for i in company.invoices}
    pool = [p for p in _quiet_payments(company, used) if p.payment_date <= date(2025, 11, 30)]
    rng.shuffle(pool)
    for p in pool:
        if k == 0:
            break
        if p.customer.customer_id in used:
            continue
        charge = rng.choice(BANK_CHARGES)
        if k % 2 and p.amount % 100:
            residue = p.amount % 100  # cents dropped
        elif charge * 200 <= p.amount:  # within 0.5 %
            residue = charge
        else:
            continue
        p.amount -= residue
        p.tag = "short_payment"
        inv = invoices[p.invoice_id]
        inv.settlements = [(p.payment_date, p.amount, True)]
        used.add(p.customer.customer_id)
        k -= 1


def _plant_duplicate_invoice(company: Company, rng: random.Random, used: set[str]) -> None:
    """A sale keyed twice: the copy has the customer, date, due date and amount of the
    original under another number (the system appended an A). The customer paid the original
    once, so the copy stays open."""
    invoices = {i.invoice_id: i for i in company.invoices}
    pool = [p for p in _quiet_payments(company, used) if p.payment_date.year == 2025]
    if not pool:
        return
    p = rng.choice(pool)
    original = invoices[p.invoice_id]
    copy = Invoice(
        f"{original.invoice_id}A",
        original.customer,
        original.invoice_date,
        original.due_date,
        original.amount,
        original.show_due,
        copy_of=original.invoice_id,
    )
    company.invoices.insert(company.invoices.index(original) + 1, copy)
    used.add(p.customer.customer_id)


def _plant_duplicate_booking(company: Company, rng: random.Random, used: set[str]) -> None:
    """A bank receipt imported twice in December: the copy has the customer, date, amount and
    invoice reference of the original, so it over-pays the invoice. The customer has unpaid
    invoices worth more than that at the closing date, so FIFO applies the extra money to them
    and no credit balance arises."""
    unpaid: dict[str, int] = defaultdict(int)
    partly: set[str] = set()
    for inv in company.invoices:
        paid = sum(s[1] for s in inv.settlements)
        if paid == 0:
            unpaid[inv.customer.customer_id] += inv.amount
        elif paid < inv.amount:
            partly.add(inv.customer.customer_id)
    pool = [
        p for p in _quiet_payments(company, used)
        if p.payment_date >= date(2025, 12, 1) and p.customer.customer_id not in partly
        and unpaid[p.customer.customer_id] >= 2 * p.amount
    ]  # fmt: skip
    if not pool:
        return
    p = rng.choice(pool)
    company.payments.append(
        Payment(p.customer, p.payment_date, p.amount, p.invoice_id, p.method, "duplicate_booking")
    )
    used.add(p.customer.customer_id)


def _plant(company: Company, rng: random.Random) -> None:
    used = {c.customer_id for c in company.customers if c.profile == "defaulter"}
    _plant_overpayments(company, rng, used)
    _plant_wrong_references(company, rng, used)
    _plant_refunds(company, rng, used)
    _plant_advances(company, rng, used)
    _write_offs(company)
    _plant_short_payments(company, rng, used)
    _plant_duplicate_invoice(company, rng, used)
    _plant_duplicate_booking(company, rng, used)


# --------------------------------------------------------------------------------------------
# Document numbers
# --------------------------------------------------------------------------------------------


def _number_documents(company: Company) -> None:
    """Numbers follow the booking order, per year, as an accounting system assigns them."""
    company.payments.sort(
        key=lambda p: (p.payment_date, p.customer.customer_id, p.invoice_id, p.amount, p.tag)
    )
    seq: dict[tuple[str, int], int] = defaultdict(int)
    for p in company.payments:
        seq[("PAY", p.payment_date.year)] += 1
        p.payment_id = f"PAY-{p.payment_date.year}-{seq[('PAY', p.payment_date.year)]:06d}"
    company.credit_notes.sort(key=lambda c: (c.date, c.type, c.customer.customer_id, c.invoice_id))
    for cn in company.credit_notes:
        prefix = "WO" if cn.type == "write_off" else "CN"
        seq[(prefix, cn.date.year)] += 1
        cn.credit_note_id = f"{prefix}-{cn.date.year}-{seq[(prefix, cn.date.year)]:05d}"


def _collect_planted(company: Company) -> None:
    planted: dict[str, list[str]] = defaultdict(list)
    for p in company.payments:
        if p.tag:
            planted[p.tag].append(p.payment_id)
    for cn in company.credit_notes:
        if cn.type == "write_off":
            planted["write_off"].append(cn.credit_note_id)
    planted["defaulter"] = [c.customer_id for c in company.customers if c.profile == "defaulter"]
    planted["duplicate_invoice"] = [i.invoice_id for i in company.invoices if i.copy_of]
    company.planted = dict(planted)
    company.cases = _payment_cases(company) + [
        Case("duplicate_document", i.customer.customer_id, (i.copy_of, i.invoice_id),
             i.invoice_date, amount=i.amount)
        for i in company.invoices if i.copy_of
    ]  # fmt: skip


def _payment_cases(company: Company) -> list[Case]:
    """The exceptions the planted payments cause at the reconciled dates. (A payment made
    twice also leaves its customer in credit until the refund; no reconciled date falls in
    between, as the sample test would show.)"""
    invoices = {i.invoice_id: i for i in company.invoices}
    cases: list[Case] = []
    for p in company.payments:
        cid, day, docs = p.customer.customer_id, p.payment_date, (p.payment_id,)
        cny = p.customer.currency == BASE_CURRENCY
        if p.tag == "overpayment":
            excess = p.amount - invoices[p.invoice_id].amount
            cases.append(Case("overpayment", cid, (p.invoice_id, *docs), day, amount=excess))
        elif p.tag in ("duplicate", "duplicate_booking"):
            # the copy comes second (its number too) and carries the whole excess
            amount = p.amount if cny else None
            cases.append(Case("overpayment", cid, (p.invoice_id, *docs), day, amount=amount))
        elif p.tag == "wrong_reference":
            cases.append(Case("unknown_invoice", cid, docs, day, amount=p.amount if cny else None))
        elif p.tag == "cross_reference":
            amount = p.amount if cny else None
            cases.append(
                Case("other_customer_invoice", cid, (*docs, p.invoice_id), day, amount=amount)
            )
        elif p.tag == "advance":
            cases += [
                Case("unapplied_cash", cid, docs, day),
                Case("credit_balance", cid, docs, day),
            ]
        elif p.tag == "short_payment":
            residue = invoices[p.invoice_id].amount - p.amount
            cases.append(Case("short_payment", cid, (p.invoice_id, *docs), day, amount=residue))
        if p.tag == "duplicate_booking":
            original = next(
                o for o in company.payments
                if not o.tag and (o.customer, o.payment_date, o.amount, o.invoice_id)
                == (p.customer, p.payment_date, p.amount, p.invoice_id)
            )  # fmt: skip
            pair = (original.payment_id, p.payment_id)
            cases.append(Case("duplicate_document", cid, pair, day, amount=p.amount))
    return cases


# --------------------------------------------------------------------------------------------
# Open orders and credit limits
# --------------------------------------------------------------------------------------------


def _monthly_sales(company: Company) -> dict[str, int]:
    """Average monthly sales per customer in CNY, over the months the customer was active."""
    totals: dict[str, int] = defaultdict(int)
    for inv in company.invoices:
        totals[inv.customer.customer_id] += _to_base(company, inv.customer, inv.amount, AS_OF)
    return {
        c.customer_id: totals[c.customer_id] // (c.last_month - c.first_month + 1)
        for c in company.customers
    }


def _open_orders(company: Company, rng: random.Random, count: int = 40) -> None:
    """Orders taken but not yet delivered and billed, for active customers not on hold."""
    sales = _monthly_sales(company)
    pool = [
        c for c in company.customers
        if c.profile != "defaulter" and c.last_month == N_MONTHS - 1 and sales[c.customer_id] > 0
    ]  # fmt: skip
    for c in sorted(rng.sample(pool, min(count, len(pool))), key=lambda c: c.customer_id):
        cents = _round_units(int(sales[c.customer_id] * rng.uniform(0.2, 1.2)), 10_000)
        company.open_orders.append((c.customer_id, cents))


def _credit_limits(company: Company, rng: random.Random) -> None:
    """Limits sized to volume and terms, then the planted exceptions: ~6 % over limit at the
    closing date, two cash-only customers (limit 0) who still got credit, ~5 % without limit."""
    balances = _balances(company, AS_OF)
    orders = dict(company.open_orders)
    sales = _monthly_sales(company)
    exposure = {
        c.customer_id: _to_base(company, c, balances[c.customer_id], AS_OF)
        + orders.get(c.customer_id, 0)
        for c in company.customers
    }
    owed = {
        c.customer_id: _to_base(company, c, balances[c.customer_id], AS_OF)
        for c in company.customers
    }
    # Over limit: their balance alone exceeds the limit (open orders only add to it).
    candidates = [c for c in company.customers if owed[c.customer_id] >= 2_000_000]
    cash_only = _choose_cash_only(rng, candidates)
    rest = [c for c in candidates if c not in cash_only]
    weights = [3.0 if c.profile in ("late", "chronic", "defaulter") else 1.0 for c in rest]
    over = _weighted_sample(rng, rest, weights, round(N_CUSTOMERS * 0.06))
    others = [c for c in company.customers if c not in over and c not in cash_only]
    no_limit = rng.sample(others, round(N_CUSTOMERS * 0.05))
    for c in company.customers:
        cid = c.customer_id
        if c in cash_only:
            c.credit_limit = 0
        elif c in no_limit:
            c.credit_limit = None
        elif c in over:
            c.credit_limit = max(100_000, _nice(int(owed[cid] * rng.uniform(0.55, 0.9)), up=False))
        else:
            usual = sales[cid] * (c.terms + 30) // 30 * 3 // 2
            c.credit_limit = _nice(
                max(usual, int(exposure[cid] * rng.uniform(1.15, 1.6)), 100_000), up=True
            )
    company.planted["over_limit"] = sorted(c.customer_id for c in over)
    company.planted["cash_only"] = sorted(c.customer_id for c in cash_only)
    company.planted["no_limit"] = sorted(c.customer_id for c in no_limit)


def _choose_cash_only(rng: random.Random, candidates: list[Customer]) -> list[Customer]:
    """Cash customers (terms 0) who nevertheless have an open balance: limit 0, over limit."""
    cash = [c for c in candidates if c.terms == 0 and c.profile != "defaulter"]
    pool = cash if len(cash) >= 2 else [c for c in candidates if c.profile != "defaulter"]
    return rng.sample(pool, min(2, len(pool)))


def _weighted_sample(
    rng: random.Random, items: list[Customer], weights: list[float], k: int
) -> list[Customer]:
    """k distinct items, drawn with the given weights (no replacement)."""
    items, weights = list(items), list(weights)
    chosen = []
    while items and len(chosen) < k:
        j = rng.choices(range(len(items)), weights)[0]
        chosen.append(items.pop(j))
        weights.pop(j)
    return chosen


# --------------------------------------------------------------------------------------------
# Collection history
# --------------------------------------------------------------------------------------------


def _overdue_at(inv: Invoice, at: date) -> tuple[int, int]:
    """(overdue cents, days overdue of the oldest unpaid instalment) of an invoice at `at`,
    reading what the customer actually paid by then."""
    paid = sum(cents for when, cents, _ in inv.settlements if when <= at)
    parts = inv.instalments or [(inv.due_date, inv.amount)]
    overdue, days = 0, 0
    for due, cents in parts:
        covered = min(paid, cents)
        paid -= covered
        if cents > covered and due < at:
            overdue += cents - covered
            days = max(days, (at - due).days)
    return overdue, days


def _amount_text(customer: Customer, cents: int) -> str:
    if customer.language == "zh":
        return f"{_pretty(cents)}元"
    return f"{_pretty(cents)} {customer.currency}"


def _note(customer: Customer, key: str, **values: str) -> str:
    return NOTES[customer.language][key].format(**values)


def _pick_reason(rng: random.Random, customer: Customer) -> str:
    """Mostly the customer's usual reason; now and then another one."""
    return customer.reason if rng.random() < 0.85 else rng.choice(OVERDUE_REASONS)


def _conversation(rng: random.Random, c: Customer, when: date, kind: str, inv: Invoice) -> Activity:
    """A call or visit: reached (a reason and what they said) or not reached."""
    if kind == "call" and rng.random() < 0.3:
        return Activity(
            c, when, "call", inv.invoice_id, outcome="no_answer", note=_note(c, "no_answer")
        )
    reason = _pick_reason(rng, c)
    note = REASON_NOTES[c.language][reason] if kind == "call" else _note(c, "visit")
    outcome = "reached" if kind == "call" else "met"
    return Activity(c, when, kind, inv.invoice_id, reason=reason, outcome=outcome, note=note)


def _customer_paid(payments: list[Payment], start: date, end: date) -> int:
    return sum(p.amount for p in payments if start <= p.payment_date <= end)


def _promise(
    rng: random.Random, c: Customer, when: date, inv: Invoice, overdue: int, payments: list[Payment]
) -> Activity:
    """A promise to pay. If the customer really paid on this invoice soon after, the promise
    names that payment (kept); otherwise it names the overdue amount (usually broken). The
    outcome is read from the payments, the way SPEC §8 judges promises."""
    upcoming = [
        (d, cents)
        for d, cents, is_pay in inv.settlements
        if is_pay and when < d <= when + timedelta(days=30)
    ]
    if upcoming:
        paid_on, cents = upcoming[0]
        # Some customers pay as promised; others promise an earlier date than they manage.
        slip = rng.randint(-10, -3) if rng.random() < 0.25 else rng.randint(0, 4)
        promised = max(when + ONE_DAY, paid_on + timedelta(days=slip))
    else:
        cents, promised = overdue, when + timedelta(days=rng.randint(7, 14))
    outcome = ""  # still open at the closing date
    if promised <= AS_OF:
        outcome = "kept" if _customer_paid(payments, when, promised) >= cents else "broken"
    note = _note(c, "promise", amt=_amount_text(c, cents), date=promised.isoformat())
    return Activity(
        c, when, "promise", inv.invoice_id, cents, promised, _pick_reason(rng, c), outcome, note
    )


def _dunning_kind(rng: random.Random, days: int) -> str | None:
    """The collection step a collector takes for the oldest overdue item's age."""
    if days <= 7:
        return "reminder" if rng.random() < 0.5 else None
    if days <= 30:
        return rng.choices(("reminder", "email", "call"), (50, 30, 20))[0]
    if days <= 60:
        return rng.choices(("call", "email", "reminder"), (50, 30, 20))[0]
    if days <= 120:
        return rng.choices(("call", "letter", "email"), (45, 30, 25))[0]
    return rng.choices(("letter", "call", "visit"), (35, 35, 30))[0]


def _month_activities(
    rng: random.Random,
    c: Customer,
    month: int,
    invoices: list[Invoice],
    payments: list[Payment],
    state: dict[str, bool],
) -> list[Activity]:
    """At the monthly review the collector works the customer's oldest overdue item."""
    check = date(2025, month, 8)
    overdue = [(inv, *_overdue_at(inv, check)) for inv in invoices]
    overdue = [o for o in overdue if o[1] > 0]
    if not overdue:
        return []
    inv, cents, days = max(overdue, key=lambda o: (o[2], o[0].invoice_id))
    when = _business_day(check + timedelta(days=rng.randint(0, 10)))
    if when > AS_OF:
        return []
    out: list[Activity] = []
    if c.reason in ("dispute", "service_issue") and days >= 10 and not state.get("disputed"):
        state["disputed"] = True
        why = REASON_NOTES[c.language][c.reason]
        settled = sum(s[1] for s in inv.settlements) >= inv.amount
        out.append(
            Activity(
                c, when, "dispute", inv.invoice_id, cents, reason=c.reason,
                outcome="resolved" if settled else "open",
                note=_note(c, "dispute", inv=inv.invoice_id, why=why),
            )
        )  # fmt: skip
    if c.profile == "defaulter" and days > 120 and not state.get("legal"):
        state["legal"] = True
        out.append(
            Activity(c, when, "legal", inv.invoice_id, outcome="referred", note=_note(c, "legal"))
        )
        return out
    kind = _dunning_kind(rng, days)
    if kind in ("call", "visit"):
        out.append(_conversation(rng, c, when, kind, inv))
    elif kind:
        note = _note(c, kind, inv=inv.invoice_id)
        out.append(Activity(c, when, kind, inv.invoice_id, outcome="sent", note=note))
    if days > 30 and rng.random() < 0.35:
        out.append(_promise(rng, c, when, inv, cents, payments))
    return out


def _activities(company: Company, rng: random.Random) -> None:
    """Collection history of 2025 for the customers who pay late."""
    invoices: dict[str, list[Invoice]] = defaultdict(list)
    for inv in company.invoices:
        if inv.due_date < AS_OF:
            invoices[inv.customer.customer_id].append(inv)
    payments: dict[str, list[Payment]] = defaultdict(list)
    for p in company.payments:
        payments[p.customer.customer_id].append(p)
    for c in company.customers:
        if c.profile == "punctual":
            continue
        relevant = [
            i for i in invoices[c.customer_id]
            if not i.settlements or max(s[0] for s in i.settlements) >= date(2025, 1, 1)
            or sum(s[1] for s in i.settlements) < i.amount
        ]  # fmt: skip
        state: dict[str, bool] = {}
        for month in range(1, 13):
            company.activities.extend(
                _month_activities(rng, c, month, relevant, payments[c.customer_id], state)
            )
    company.activities.sort(key=lambda a: (a.date, a.customer.customer_id, a.type))
    for k, a in enumerate(company.activities, 1):
        a.activity_id = f"ACT-{k:06d}"


# --------------------------------------------------------------------------------------------
# Statements (customer-confirmed balances, 对账单)
# --------------------------------------------------------------------------------------------

STATEMENT_DATES = (date(2025, 6, 30), date(2025, 12, 31))
# the dates at which the planted reconciliation cases are exactly what `reconcile` finds
RECONCILED_DATES = (*STATEMENT_DATES[:-1], AS_OF)


def _statement_customers(company: Company, count: int = 20) -> list[str]:
    """The key domestic accounts by sales, who confirm their balance (defaulters do not)."""
    volume: dict[str, int] = defaultdict(int)
    for inv in company.invoices:
        volume[inv.customer.customer_id] += inv.amount
    key = sorted(
        (c for c in company.customers if c.currency == BASE_CURRENCY and c.profile != "defaulter"),
        key=lambda c: (-volume[c.customer_id], c.customer_id),
    )[:count]
    return sorted(c.customer_id for c in key)


def _statements(company: Company, rng: random.Random) -> None:
    """Key CNY accounts confirm their balance twice a year. Most agree with our books; two
    at mid-year count a payment we booked only in July (in transit), one at year-end differs by
    an amount nobody can explain yet."""
    chosen = set(company.statement_customers)
    key = [c for c in company.customers if c.customer_id in chosen]
    confirmed = {(c.customer_id, d): _balance(company, c, d) for c in key for d in STATEMENT_DATES}
    _plant_in_transit(company, rng, key, confirmed)
    _plant_unexplained(company, rng, key, confirmed)
    company.statements = [(cid, d, cents) for (cid, d), cents in sorted(confirmed.items())]


def _plant_in_transit(
    company: Company,
    rng: random.Random,
    key: list[Customer],
    confirmed: dict[tuple[str, date], int],
) -> None:
    """The customer paid on 28-30 June (their books); the money reached us in early July."""
    mid = STATEMENT_DATES[0]
    july = [
        p for p in company.payments
        if p.customer in key and mid < p.payment_date <= mid + timedelta(days=7) and p.amount > 0
        and not p.tag
    ]  # fmt: skip
    seen: set[str] = set()
    for p in sorted(july, key=lambda p: p.payment_id):
        if len(seen) == 2:
            break
        if p.customer.customer_id in seen or rng.random() < 0.3:
            continue
        seen.add(p.customer.customer_id)
        confirmed[(p.customer.customer_id, mid)] -= p.amount
        # unexplained until the payment is booked; then it is the document in transit
        cid = p.customer.customer_id
        company.cases += [
            Case("statement_difference", cid, (), mid, until=p.payment_date, amount=p.amount),
            Case("statement_difference", cid, (p.payment_id,), p.payment_date, amount=p.amount),
        ]
        company.statement_notes.append(
            f"{p.customer.customer_id} at {mid}: confirms {_money(p.amount)} less than our books — "
            f"payment {p.payment_id} in transit (booked {p.payment_date})"
        )
        company.planted.setdefault("statement_difference", []).append(p.customer.customer_id)


def _plant_unexplained(
    company: Company,
    rng: random.Random,
    key: list[Customer],
    confirmed: dict[tuple[str, date], int],
) -> None:
    """A year-end confirmation that differs by an amount with no matching document."""
    done = set(company.planted.get("statement_difference", []))
    pool = [c for c in key if c.customer_id not in done]
    if not pool:
        return
    c = rng.choice(pool)
    cents = rng.randint(100_000, 900_000)
    confirmed[(c.customer_id, AS_OF)] -= cents
    company.cases.append(Case("statement_difference", c.customer_id, (), AS_OF, amount=cents))
    company.statement_notes.append(
        f"{c.customer_id} at {AS_OF}: confirms {_money(cents)} less than our books — unexplained"
    )
    company.planted.setdefault("statement_difference", []).append(c.customer_id)


# --------------------------------------------------------------------------------------------
# The general ledger's AR control account
# --------------------------------------------------------------------------------------------

GL_JOURNALS = (
    "a customer deposit credited to the AR control account by a manual journal",
    "the month's USD revaluation journal posted twice",
)


def _gl_journals(company: Company, rng: random.Random) -> None:
    """Two month-ends where the control account differs from the subledger: a journal posted
    to AR in the general ledger only, found and reversed the next month. (The control balances
    themselves are written by `generate`, from the subledger as the ledger computes it.)"""
    months = sorted(rng.sample(range(3, N_MONTHS - 2), 2))
    for month, what, sign in zip(months, GL_JOURNALS, (-1, 1), strict=True):
        end = _month_start(month + 1) - ONE_DAY
        cents = sign * rng.randint(300_000, 3_000_000)
        company.gl_journals.append((end, cents, what))
        # the subledger minus the GL: a journal that lowers the GL shows as a positive difference
        company.cases.append(Case("gl_difference", None, (), end, amount=-cents))
    company.planted["gl_difference"] = [end.isoformat() for end, _, _ in company.gl_journals]


def _gl_rows(company: Company, folder: Path) -> list[Row]:
    """Month-end AR control balances: the subledger's own totals (Σ open items, as a clean
    posting interface keeps the GL in step), read back from the files just written, plus the
    planted journals."""
    ds = load(folder)
    journals = {end: cents for end, cents, _ in company.gl_journals}
    rows: list[Row] = []
    for month in range(N_MONTHS):
        end = _month_start(month + 1) - ONE_DAY
        subledger = open_items(ds, as_of=end).select(pl.col("open_amount").sum()).collect().item()
        rows.append((_iso(end), _money(subledger + journals.get(end, 0))))
    return rows


# --------------------------------------------------------------------------------------------
# Building and writing
# --------------------------------------------------------------------------------------------


def build(*, invoices: int = 25_000, seed: int = 7) -> Company:
    """The whole sample company in memory (tests inspect it; `generate` writes it)."""
    if invoices < 1:
        raise ValueError("invoices must be at least 1")
    customers = _customers(_rng(seed, "customers"))
    company = Company(
        customers,
        _invoices(_rng(seed, "invoices"), customers, invoices),
        _fx_rates(_rng(seed, "fx")),
    )
    _schedules(_rng(seed, "schedules"), company.invoices)
    _settle(company, _rng(seed, "settle"))
    company.statement_customers = _statement_customers(company)
    _plant(company, _rng(seed, "plant"))
    _number_documents(company)
    _collect_planted(company)
    _open_orders(company, _rng(seed, "orders"))
    _credit_limits(company, _rng(seed, "limits"))
    _activities(company, _rng(seed, "activities"))
    _statements(company, _rng(seed, "statements"))
    _gl_journals(company, _rng(seed, "gl"))
    return company


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """UTF-8 without BOM, comma, LF, blank cells for missing values."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count


Row = tuple[object, ...]

# Column order of each written file (the canonical names of SPEC §1 / reportgen.schema).
HEADERS: dict[str, tuple[str, ...]] = {
    "customers.csv": (
        "customer_id", "name", "credit_limit", "payment_terms_days", "currency", "segment",
        "owner", "country", "email", "risk_class", "language",
    ),
    "invoices.csv": ("invoice_id", "customer_id", "invoice_date", "due_date", "amount", "currency"),
    "payment_schedule.csv": ("invoice_id", "instalment", "due_date", "amount"),
    "payments.csv": (
        "payment_id", "customer_id", "payment_date", "amount", "invoice_id", "method", "currency",
    ),
    "credit_notes.csv": (
        "credit_note_id", "customer_id", "date", "amount", "invoice_id", "type", "currency",
    ),
    "activities.csv": (
        "activity_id", "customer_id", "date", "type", "invoice_id", "amount", "promised_date",
        "reason", "outcome", "note",
    ),
    "statements.csv": ("customer_id", "statement_date", "confirmed_balance"),
    "fx_rates.csv": ("date", "currency", "rate"),
    "open_orders.csv": ("customer_id", "amount"),
    "gl_balances.csv": ("date", "balance"),
}  # fmt: skip


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _customer_rows(company: Company) -> list[Row]:
    return [
        (
            c.customer_id, c.name, None if c.credit_limit is None else _money(c.credit_limit),
            c.terms, c.currency, c.segment, c.owner, c.country, c.email, c.risk_class, c.language,
        )
        for c in company.customers
    ]  # fmt: skip


def _invoice_rows(company: Company) -> list[Row]:
    return [
        (
            i.invoice_id, i.customer.customer_id, _iso(i.invoice_date),
            _iso(i.due_date) if i.show_due else None, _money(i.amount), i.customer.currency,
        )
        for i in company.invoices
    ]  # fmt: skip


def _schedule_rows(company: Company) -> list[Row]:
    return [
        (i.invoice_id, k, _iso(due), _money(cents))
        for i in company.invoices
        for k, (due, cents) in enumerate(i.instalments, 1)
    ]


def _payment_rows(company: Company) -> list[Row]:
    return [
        (
            p.payment_id, p.customer.customer_id, _iso(p.payment_date), _money(p.amount),
            p.invoice_id or None, p.method, p.customer.currency,
        )
        for p in company.payments
    ]  # fmt: skip


def _credit_note_rows(company: Company) -> list[Row]:
    return [
        (
            n.credit_note_id, n.customer.customer_id, _iso(n.date), _money(n.amount),
            n.invoice_id or None, n.type, n.customer.currency,
        )
        for n in company.credit_notes
    ]  # fmt: skip


def _activity_rows(company: Company) -> list[Row]:
    return [
        (
            a.activity_id, a.customer.customer_id, _iso(a.date), a.type, a.invoice_id or None,
            None if a.amount is None else _money(a.amount), _iso(a.promised_date),
            a.reason or None, a.outcome or None, a.note or None,
        )
        for a in company.activities
    ]  # fmt: skip


def _table_rows(company: Company) -> dict[str, list[Row]]:
    """Each canonical file's rows, in a stable order."""
    return {
        "customers.csv": _customer_rows(company),
        "invoices.csv": _invoice_rows(company),
        "payment_schedule.csv": _schedule_rows(company),
        "payments.csv": _payment_rows(company),
        "credit_notes.csv": _credit_note_rows(company),
        "activities.csv": _activity_rows(company),
        "statements.csv": [(cid, _iso(d), _money(v)) for cid, d, v in company.statements],
        "fx_rates.csv": [
            (_iso(d), EXPORT_CURRENCY, f"{r // 10_000}.{r % 10_000:04d}")
            for d, r in sorted(company.fx.items())
        ],
        "open_orders.csv": [(cid, _money(cents)) for cid, cents in company.open_orders],
    }


PLANTED_LABELS = {
    "overpayment": "Over-payments (rounded up to the next 100 CNY; the excess goes on account)",
    "wrong_reference": "Payments quoting an invoice number that does not exist (typos)",
    "cross_reference": "Payments quoting an invoice of another customer",
    "duplicate": "Duplicate payments of an invoice (the customer is in credit afterwards)",
    "refund": "Refunds of those credit balances (negative amount, no invoice reference)",
    "advance": "Advance payments in December 2025: the customer ends the year in credit",
    "write_off": f"Write-offs of the defaulters' uncollectible invoices ({WRITE_OFF_DATE})",
    "defaulter": "Defaulters who stopped paying in 2025",
    "over_limit": f"Customers over their credit limit at {AS_OF}",
    "cash_only": "Credit limit 0 (cash only), yet an open balance",
    "no_limit": "No credit limit (blank cell)",
    "statement_difference": "Confirmed balance differs from ours (see below)",
    "short_payment": "Short payments, never topped up: a bank charge deducted or the cents "
    "dropped (within the reconciliation tolerance)",
    "duplicate_invoice": "Invoice keyed twice (the copy's number ends in A; it stays open)",
    "duplicate_booking": "Bank receipt imported twice (same customer, date, amount and "
    "reference: the copy over-pays the invoice)",
    "gl_difference": "Month-ends where the GL's AR control account differs from the "
    "subledger (see below)",
}


def _readme_overview(company: Company) -> list[str]:
    customers = company.customers
    export = sum(c.currency != BASE_CURRENCY for c in customers)
    zh = sum(c.language == "zh" for c in customers)
    profiles: dict[str, int] = defaultdict(int)
    for c in customers:
        profiles[c.profile] += 1
    sales: dict[int, int] = defaultdict(int)
    for inv in company.invoices:
        sales[inv.invoice_date.year] += _to_base(company, inv.customer, inv.amount, AS_OF)
    ending = _balances(company, AS_OF)
    net = sum(_to_base(company, c, ending[c.customer_id], AS_OF) for c in customers)
    sold = ", ".join(f"{y}: {_pretty(v)[:-3]} CNY" for y, v in sorted(sales.items()))
    return [
        "# Sample company",
        "",
        "A fictitious trading company in China, written by `reportgen sample` "
        "(`reportgen/sample.py`, deterministic for a seed). Base currency CNY; invoices from "
        f"{FIRST_DAY} to {AS_OF}; nothing is dated later (try `--as-of {AS_OF}` or "
        "`--period 2025-12`). This README is not a data file.",
        "",
        f"* {len(customers)} customers: {export} export customers billed in USD, {zh} with "
        "Chinese names (their collection notes are in Chinese, see `customers.language`); "
        "segments Retail, Wholesale, Manufacturing, Distributor, Export; "
        f"collectors {', '.join(OWNERS_DOMESTIC)}.",
        f"* Sales (at the {AS_OF} USD rate): {sold}. Net receivables at {AS_OF}: "
        f"{_pretty(net)[:-3]} CNY.",
        "* Payment behaviour: "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(profiles.items()))
        + ". Defaulters stopped paying on "
        + " and ".join(str(d) for d in DEFAULTS)
        + ". Late customers have a 2025 collection history (reminders, calls, letters, visits, "
        "promises kept and broken, disputes, legal).",
        "* Payments by bank transfer, cheque, card, bank acceptance bill (银行承兑汇票) and, for "
        "export, letter of credit; some arrive without invoice reference (on account).",
        f"* USD rates (CNY per USD) for every day from 2023-12-31 to {AS_OF}; CNY has no rate: "
        "it is the base currency.",
    ]


def _planted_text(company: Company, key: str, doc_id: str) -> str:
    """One planted id as the README lists it, with its customer and what it quotes."""
    payments = {p.payment_id: p for p in company.payments}
    notes = {n.credit_note_id: n for n in company.credit_notes}
    copies = {i.invoice_id: i for i in company.invoices if i.copy_of}
    amounts = {i.invoice_id: i.amount for i in company.invoices}
    if doc_id in payments:
        p = payments[doc_id]
        if key == "short_payment":
            short = _money(amounts[p.invoice_id] - p.amount)
            return f"{doc_id} ({p.customer.customer_id} pays {p.invoice_id} short by {short})"
        if key in ("wrong_reference", "cross_reference", "duplicate_booking"):
            return f"{doc_id} ({p.customer.customer_id} quotes {p.invoice_id})"
        return f"{doc_id} ({p.customer.customer_id})"
    if doc_id in notes:
        return f"{doc_id} ({notes[doc_id].customer.customer_id} {notes[doc_id].invoice_id})"
    if doc_id in copies:
        inv = copies[doc_id]
        return f"{doc_id} ({inv.customer.customer_id}, a copy of {inv.copy_of})"
    return doc_id


def _readme_planted(company: Company) -> list[str]:
    lines = [
        "## Planted cases",
        "",
        "Deliberate imperfections, so every report has something to find:",
        "",
    ]
    for key, label in PLANTED_LABELS.items():
        ids = [_planted_text(company, key, i) for i in company.planted.get(key, [])]
        lines.append(f"* {label} — {len(ids)}: {', '.join(ids) if ids else 'none'}")
    lines += ["", "Statement differences:", "", *(f"* {n}" for n in company.statement_notes)]
    lines += ["", "General ledger (each journal reversed the next month):", ""]
    lines += [
        f"* {end}: {what}, {_money(abs(cents))} CNY — the GL shows "
        f"{'more' if cents > 0 else 'less'} than the subledger"
        for end, cents, what in company.gl_journals
    ]
    return lines


def _readme_reconcile(company: Company) -> list[str]:
    """What `reportgen reconcile` finds at the closing date, category by category."""
    lines = [
        f"## What `reportgen reconcile sample_data --as-of {AS_OF}` finds",
        "",
        "Exactly the planted cases (tests/test_reconcile_sample.py checks it, and at "
        f"{STATEMENT_DATES[0]}, where the July payments in transit do not exist yet):",
        "",
    ]
    found = [c for c in company.cases if c.found_at(AS_OF)]
    categories = dict.fromkeys(c.category for c in found)
    for category in categories:
        cases = [c for c in found if c.category == category]
        listed = "; ".join(
            " ".join(filter(None, (c.customer_id, ", ".join(c.documents)))) or str(c.since)
            for c in cases
        )
        lines.append(f"* `{category}` — {len(cases)}: {listed}")
    lines += [
        "",
        "An advance is both unapplied cash and a credit balance; a receipt imported twice is "
        "a duplicate and an over-payment. Two categories are not planted: `duplicate_id` "
        "(loading rejects every copy of an id with different contents, so `reportgen check` "
        "would fail on the sample) and `rollforward_break` (the roll-forward cannot break on "
        "a ledger that neither creates nor loses money).",
    ]
    return lines


def _readme(company: Company, counts: dict[str, int]) -> str:
    """A short description of the company for users, with the counts and the planted cases."""
    files = ["## Files", "", "| file | rows |", "|---|---:|"]
    files += [f"| `{name}` | {n} |" for name, n in counts.items()]
    parts = [_readme_overview(company), files, _readme_planted(company), _readme_reconcile(company)]
    return "\n\n".join("\n".join(p) for p in parts) + "\n"


def generate(out: Path, *, invoices: int = 25_000, seed: int = 7) -> dict[str, int]:
    """Write the canonical CSV tables of a realistic sample company into `out`; return rows
    written per file name."""
    company = build(invoices=invoices, seed=seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    counts = {
        name: _write(out / name, HEADERS[name], rows) for name, rows in _table_rows(company).items()
    }
    # the general ledger follows the subledger, which is read back from the files
    counts["gl_balances.csv"] = _write(
        out / "gl_balances.csv", HEADERS["gl_balances.csv"], _gl_rows(company, out)
    )
    (out / "README.md").write_text(_readme(company, counts), encoding="utf-8", newline="\n")
    return counts
