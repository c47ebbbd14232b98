"""Collections (issue 7): the credit policy file, the dunning ladder on its boundary days, late
interest to the cent, deadlines in business days, and the worklist."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from conftest import D, make_data

from reportgen.collections import interest, ladder_items, worklist, worklist_table
from reportgen.policy import BusinessCalendar, PolicyError, default_policy, load_policy

AS_OF = D("2025-06-30")  # a Monday


def policy_file(tmp_path, text: str):
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the policy file ------------------------------------------------------------------


def test_default_policy_is_the_documented_ladder():
    policy = default_policy()
    windows = [(r.key, r.from_days, r.to_days, r.within_business_days) for r in policy.ladder]
    assert windows == [
        ("pre_due", -7, 0, 0),
        ("level_1", 1, 3, 3),
        ("level_2", 4, 7, 2),
        ("level_3", 8, 30, 1),
        ("demand", 31, 90, 1),
        ("lawyer_letter", 91, 120, 2),
        ("litigation", 121, None, 5),
    ]
    assert policy.hold_after_days == 90
    assert policy.rate_ppm == 100_000  # 10 % a year
    assert policy.calendar.country == "CN"


def test_a_policy_file_overrides_key_by_key(tmp_path):
    path = policy_file(
        tmp_path,
        """
        [interest]
        annual_rate_percent = 8.5
        [credit_hold]
        hold_after_days = 60
        [calendar]
        country = "US"
        """,
    )
    policy = load_policy(path)
    assert policy.rate_ppm == 85_000
    assert policy.hold_after_days == 60
    assert policy.calendar.country == "US"
    assert policy.ladder == default_policy().ladder  # untouched sections keep the default
    assert policy.source == str(path)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[interest]\nannual_rate = 5\n", "'interest.annual_rate'"),
        ("[interst]\nannual_rate_percent = 5\n", "'interst'"),
        ("[rating.weights]\nspeed = 3\n", "'rating.weights.speed'"),
        ("[priority]\nrisk_weights = { A = 1, B = 1, C = 1, D = 1, E = 1, F = 2 }\n", "F"),
        (
            '[[ladder]]\nkey = "x"\nfrom_days = 1\nwithin_business_days = 1\nchannel = "call"\n'
            'owner = "collector"\ncolour = "red"\n',
            "'ladder[1].colour'",
        ),
    ],
)
def test_unknown_keys_are_errors_naming_key_and_file(tmp_path, text, named):
    path = policy_file(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert named in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "[credit_hold]\nhold_after_days = 'ninety'\n",
        "[calendar]\ncountry = 'Atlantis'\n",
        "[interest]\nannual_rate_percent = -1\n",
        "[interest]\nannual_rate_percent = 8.12345\n",  # finer than the exact millionths
        "[rating.grades]\nA = 50\nB = 40\nC = 60\nD = 80\n",
        '[[ladder]]\nkey = "a"\nfrom_days = 1\nto_days = 10\nwithin_business_days = 1\n'
        'channel = "call"\nowner = "collector"\n'
        '[[ladder]]\nkey = "b"\nfrom_days = 5\nwithin_business_days = 1\n'
        'channel = "call"\nowner = "collector"\n',
        "not = [valid",
    ],
)
def test_invalid_values_are_errors(tmp_path, text):
    with pytest.raises(PolicyError):
        load_policy(policy_file(tmp_path, text))


def test_rung_owners_in_chinese():
    owners = {r.key: (r.owner_words("en"), r.owner_words("zh")) for r in default_policy().ladder}
    assert owners["level_1"] == ("the customer's collector", "客户负责人")
    assert owners["demand"] == ("Credit manager", "信用经理")
    assert owners["lawyer_letter"] == owners["litigation"] == ("Legal", "法务部")


def test_a_ladder_names_its_owners_in_chinese_or_keeps_them(tmp_path):
    rung = 'from_days = {f}\nwithin_business_days = 1\nchannel = "letter"\n'
    path = policy_file(
        tmp_path,
        f'[[ladder]]\nkey = "a"\n{rung.format(f=1)}owner = "Finance director"\n'
        'owner_zh = "财务总监"\nto_days = 30\n'
        f'[[ladder]]\nkey = "b"\n{rung.format(f=31)}owner = "Legal"\nto_days = 60\n'
        f'[[ladder]]\nkey = "c"\n{rung.format(f=61)}owner = "Dr. Zhou"\n',
    )
    words = [(r.owner_words("en"), r.owner_words("zh")) for r in load_policy(path).ladder]
    assert words == [
        ("Finance director", "财务总监"),  # the policy's own words
        ("Legal", "法务部"),  # a shipped role without owner_zh
        ("Dr. Zhou", "Dr. Zhou"),  # a name, as written
    ]
    bad = policy_file(
        tmp_path, f'[[ladder]]\nkey = "a"\n{rung.format(f=1)}owner = "x"\nowner_zh = 3\n'
    )
    with pytest.raises(PolicyError, match=r"ladder\[1\]\.owner_zh must be a str"):
        load_policy(bad)


def test_the_policy_is_frozen():
    policy = default_policy()
    with pytest.raises(AttributeError):
        policy.hold_after_days = 30  # type: ignore[misc]


# --- the ladder on its boundary days ----------------------------------------------------

BOUNDARIES = {
    -8: None,
    -7: "pre_due",
    0: "pre_due",  # due on D is not yet overdue
    1: "level_1",
    3: "level_1",
    4: "level_2",
    7: "level_2",
    8: "level_3",
    30: "level_3",
    31: "demand",
    90: "demand",
    91: "lawyer_letter",
    120: "lawyer_letter",
    121: "litigation",
    400: "litigation",
}


def _invoice_rows(days_list) -> str:
    rows = ["invoice_id,customer_id,invoice_date,due_date,amount"]
    for days in days_list:
        due = AS_OF - timedelta(days=days)
        rows.append(f"I{days},C1,{min(due, AS_OF) - timedelta(days=30)},{due},100.00")
    return "\n".join(rows)


def test_ladder_on_boundary_days(tmp_path):
    ds = make_data(tmp_path, invoices=_invoice_rows(BOUNDARIES))
    items = ladder_items(ds, as_of=AS_OF, policy=default_policy()).collect()
    reached = {
        int(row["item_id"][1:]): row["rung"]
        for row in items.select("item_id", pl.col("rung").cast(pl.String)).iter_rows(named=True)
    }
    assert reached == BOUNDARIES
    # the day each item reached its rung: its due date plus the rung's first day
    since = dict(items.select("item_id", "rung_since").iter_rows())
    assert since["I3"] == AS_OF - timedelta(days=3) + timedelta(days=1)
    assert since["I-7"] == AS_OF  # due in 7 days: the courtesy reminder starts today
    assert since["I91"] == AS_OF  # 91 days overdue: the lawyer's letter starts today


def test_a_custom_ladder_replaces_the_default(tmp_path):
    path = policy_file(
        tmp_path,
        """
        [[ladder]]
        key = "soft"
        from_days = 1
        to_days = 10
        within_business_days = 1
        channel = "call"
        owner = "collector"
        [[ladder]]
        key = "hard"
        from_days = 11
        within_business_days = 1
        channel = "legal"
        owner = "Legal"
        fee = "25.00"
        """,
    )
    ds = make_data(tmp_path, invoices=_invoice_rows([0, 10, 11]))
    items = ladder_items(ds, as_of=AS_OF, policy=load_policy(path)).collect().sort("item_id")
    assert items["rung"].cast(pl.String).to_list() == [None, "soft", "hard"]


# --- interest ----------------------------------------------------------------------------


def test_interest_known_case(tmp_path):
    """100.00 overdue 15 days at 10 % a year = 100 × 0.10 × 15 / 365 = 0.41 (0.4109…)."""
    ds = make_data(tmp_path, invoices=_invoice_rows([15, 0, -3]))
    items = ladder_items(ds, as_of=AS_OF, policy=default_policy()).collect()
    cents = dict(items.select("item_id", "interest").iter_rows())
    assert cents == {"I15": 41, "I0": 0, "I-3": 0}


@pytest.mark.parametrize(
    ("cents", "days", "ppm", "expected"),
    [
        (10_000, 15, 100_000, 41),
        (100_000_000, 365, 100_000, 10_000_000),  # a year at 10 % is exactly a tenth
        (36_500, 1, 100_000, 10),  # 365.00 × 10 % / 365 = 0.10
        (18_250, 1, 100_000, 5),  # 0.05 exactly
        (9_125, 1, 100_000, 3),  # 0.025 rounds half up to 0.03
        (10_000, 0, 100_000, 0),
        (10_000, -5, 100_000, 0),  # not yet due: no interest
        (9_000_000_000_000_000, 3650, 250_000, 2_250_000_000_000_000 * 10),  # no overflow
    ],
)
def test_interest_is_exact(cents, days, ppm, expected):
    frame = pl.DataFrame({"amount": [cents], "days": [days]})
    assert frame.select(interest("amount", "days", rate_ppm=ppm)).item() == expected


def test_interest_on_the_part_still_open(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=_invoice_rows([15]),
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-06-20,50.00,I15
        """,
    )
    items = ladder_items(ds, as_of=AS_OF, policy=default_policy()).collect()
    assert items["open_amount"].to_list() == [5_000]
    assert items["interest"].to_list() == [21]  # 50.00 × 10 % × 15 / 365 = 0.2055 -> 0.21


# --- business days -----------------------------------------------------------------------


def test_deadline_skips_a_weekend():
    us = BusinessCalendar("US")
    friday = D("2025-06-27")
    assert us.deadline(friday, 1) == D("2025-06-30")  # Monday
    assert us.deadline(friday, 3) == D("2025-07-02")  # Mon, Tue, Wed
    assert us.deadline(D("2025-06-28"), 0) == D("2025-06-30")  # a Saturday rolls to Monday
    assert us.deadline(friday, 0) == friday


def test_deadline_skips_a_holiday():
    us = BusinessCalendar("US")
    # Thursday 3 July 2025 + 1 business day: Friday 4 July is Independence Day, then a weekend
    assert us.deadline(D("2025-07-03"), 1) == D("2025-07-07")
    # China's National Day week, and the Sunday before it worked in exchange (调休)
    cn = BusinessCalendar("CN")
    assert cn.deadline(D("2025-09-26"), 1) == D("2025-09-28")
    assert cn.deadline(D("2025-09-30"), 1) == D("2025-10-09")


def test_company_closing_days_from_the_policy(tmp_path):
    path = policy_file(tmp_path, '[calendar]\ncountry = "US"\nextra_holidays = ["2025-06-30"]\n')
    calendar = load_policy(path).calendar
    assert calendar.deadline(D("2025-06-27"), 1) == D("2025-07-01")


def test_worklist_deadline_across_a_weekend(tmp_path):
    """Due Friday 27 June: level 1 from Saturday 28 June, to be done within 3 business days
    -> Wednesday 2 July (the weekend does not count)."""
    ds = make_data(
        tmp_path,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        I1,C1,2025-05-27,2025-06-27,100.00
        """,
    )
    path = policy_file(tmp_path, '[calendar]\ncountry = "US"\n')
    row = worklist(ds, as_of=AS_OF, policy=load_policy(path)).collect().row(0, named=True)
    assert row["rung"] == "level_1"
    assert row["level_since"] == D("2025-06-28")
    assert row["deadline"] == D("2025-07-02")
    assert row["status"] == "due"


# --- the worklist ------------------------------------------------------------------------

CUSTOMERS = """
customer_id,name,owner,risk_class,language
C1,Alpha Ltd,Wang Li,A,en
C2,北京贝塔有限公司,Zhang Wei,E,zh
C3,Gamma GmbH,,C,en
"""


def _worklist(ds, policy=None) -> pl.DataFrame:
    frame = worklist(ds, as_of=AS_OF, policy=policy or default_policy()).collect()
    return frame.with_columns(pl.col("customer_id", "rung").cast(pl.String))


def test_worklist_actions_owner_fees_and_amounts(tmp_path):
    ds = make_data(
        tmp_path,
        customers=CUSTOMERS,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        A1,C1,2025-05-01,2025-06-15,100.00
        A2,C1,2025-05-01,2025-06-10,200.00
        A3,C1,2025-06-01,2025-07-05,50.00
        B1,C2,2025-01-01,2025-03-05,1000.00
        G1,C3,2025-05-01,2025-06-28,10.00
        """,
    )
    frame = _worklist(ds)
    rows = {(r["customer_id"], r["rung"]): r for r in frame.iter_rows(named=True)}
    assert set(rows) == {("C1", "level_3"), ("C1", "pre_due"), ("C2", "lawyer_letter"),
                         ("C3", "level_1")}  # fmt: skip
    c1 = rows[("C1", "level_3")]
    assert (c1["items"], c1["invoices"], c1["amount"]) == (2, "A1, A2", 30_000)
    assert c1["max_days_overdue"] == 20
    # 100.00 × 15 days + 200.00 × 20 days at 10 %: 0.41 + 1.10
    assert c1["interest"] == 41 + 110
    assert c1["fee"] == 5_000  # the level-3 letter's fee, 50.00
    assert c1["amount_requested"] == 30_000 + 151 + 5_000
    assert c1["owner"] == "Wang Li"
    # requested within the level-3 rung's 7 days of the letter's date (D)
    assert c1["pay_by"] == AS_OF + timedelta(days=7)
    assert c1["next_rung"] == "demand"
    pre = rows[("C1", "pre_due")]
    assert (pre["amount"], pre["interest"], pre["fee"]) == (5_000, 0, 0)
    assert pre["pay_by"] == D("2025-07-05")  # pay by the due date
    legal = rows[("C2", "lawyer_letter")]
    assert legal["owner"] == "Legal"  # a rung with its own owner
    assert legal["fee"] == 30_000
    assert rows[("C3", "level_1")]["owner"] == "unassigned"  # no collector in the list


def _pay_by(ds, policy) -> dict:
    return {(r["customer_id"], r["rung"]): r["pay_by"]
            for r in _worklist(ds, policy).iter_rows(named=True)}  # fmt: skip


def _overdue_by(days_by_customer: dict) -> str:
    """One 100.00 invoice per customer, `days` overdue at D."""
    rows = ["invoice_id,customer_id,invoice_date,due_date,amount"]
    for customer, days in days_by_customer.items():
        due = AS_OF - timedelta(days=days)
        rows.append(f"I{customer},{customer},{min(due, AS_OF) - timedelta(days=30)},{due},100.00")
    return "\n".join(rows)


def test_default_policy_pay_within_days():
    within = {r.key: r.pay_within_days for r in default_policy().ladder}
    assert within == {"pre_due": None, "level_1": 7, "level_2": 7, "level_3": 7, "demand": 10,
                      "lawyer_letter": 7, "litigation": None}  # fmt: skip


def test_pay_by_is_the_rungs_days_after_the_letter(tmp_path):
    """A demand letter gives 10 days from its date, whether the item has just reached the
    rung (31 days overdue) or is about to leave it (90 days): not up to day 90 of the item."""
    days = {"C31": 31, "C90": 90, "C20": 20, "C91": 91, "C-3": -3, "C200": 200}
    ds = make_data(tmp_path, invoices=_overdue_by(days))
    pay_by = _pay_by(ds, default_policy())
    assert pay_by[("C31", "demand")] == AS_OF + timedelta(days=10)
    assert pay_by[("C90", "demand")] == AS_OF + timedelta(days=10)
    assert pay_by[("C20", "level_3")] == AS_OF + timedelta(days=7)
    assert pay_by[("C91", "lawyer_letter")] == AS_OF + timedelta(days=7)
    assert pay_by[("C-3", "pre_due")] == AS_OF + timedelta(days=3)  # no key: its due date
    # no key on the last rung: the action's deadline (5 business days from the rung's start)
    assert pay_by[("C200", "litigation")] >= AS_OF
    assert all(day >= AS_OF for day in pay_by.values())


def test_a_policy_without_pay_within_days_keeps_the_next_rung_rule(tmp_path):
    path = policy_file(
        tmp_path,
        """
        [[ladder]]
        key = "level_3"
        from_days = 8
        to_days = 30
        within_business_days = 1
        channel = "letter"
        owner = "collector"
        [[ladder]]
        key = "demand"
        from_days = 31
        to_days = 90
        within_business_days = 1
        channel = "letter"
        owner = "Credit manager"
        """,
    )
    policy = load_policy(path)
    assert [r.pay_within_days for r in policy.ladder] == [None, None]
    ds = make_data(tmp_path, invoices=_overdue_by({"C20": 20, "C31": 31, "C90": 90}))
    pay_by = _pay_by(ds, policy)
    # the last day before the oldest item climbs to the next rung (due date + to_days)
    assert pay_by[("C20", "level_3")] == AS_OF - timedelta(days=20) + timedelta(days=30)
    assert pay_by[("C31", "demand")] == AS_OF - timedelta(days=31) + timedelta(days=90)
    assert pay_by[("C90", "demand")] == AS_OF  # its last day on the rung: never before D
    # the key given in a user's ladder is used
    zero = policy_file(tmp_path, path.read_text().replace(
        "to_days = 90\n", "to_days = 90\n        pay_within_days = 0\n"))  # fmt: skip
    assert _pay_by(ds, load_policy(zero))[("C31", "demand")] == AS_OF  # 0 = on D


@pytest.mark.parametrize("value", ["-1", '"ten"', "10.0", "true"])
def test_a_bad_pay_within_days_is_refused_naming_key_and_file(tmp_path, value):
    path = policy_file(
        tmp_path,
        '[[ladder]]\nkey = "demand"\nfrom_days = 31\nwithin_business_days = 1\n'
        f'channel = "letter"\nowner = "Legal"\npay_within_days = {value}\n',
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert "ladder[1].pay_within_days must be" in str(caught.value)  # a known key, bad value
    assert str(path) in str(caught.value)


def test_worklist_priority_orders_within_an_owner(tmp_path):
    """Same owner: a riskier customer with less money overdue can come first."""
    ds = make_data(
        tmp_path,
        customers="""
        customer_id,owner,risk_class
        C1,Wang Li,A
        C2,Wang Li,E
        C3,Wang Li,A
        """,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        I1,C1,2025-05-01,2025-06-20,250.00
        I2,C2,2025-05-01,2025-06-20,100.00
        I3,C3,2025-05-01,2025-06-20,200.00
        """,
    )
    frame = _worklist(ds)
    # 250 × 1.0 < 100 × 3.0 (E): C2 first, then C1, then C3
    assert frame["customer_id"].to_list() == ["C2", "C1", "C3"]
    grades = pl.LazyFrame(
        {"customer_id": ["C3"], "grade": ["E"]},
        schema={"customer_id": ds.tables["invoices"]["customer_id"].dtype, "grade": pl.String},
    )
    regraded = worklist(ds, as_of=AS_OF, policy=default_policy(), grades=grades).collect()
    assert regraded["customer_id"].cast(pl.String).to_list()[0] == "C3"  # the rating wins


def test_disputed_invoice_leaves_the_ladder_but_stays_in_the_numbers(tmp_path):
    ds = make_data(
        tmp_path,
        customers=CUSTOMERS,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        A1,C1,2025-04-01,2025-05-01,400.00
        A2,C1,2025-05-01,2025-06-25,100.00
        A3,C1,2025-05-01,2025-06-01,300.00
        """,
        activities="""
        customer_id,date,type,invoice_id,outcome
        C1,2025-05-10,dispute,A1,open
        C1,2025-06-05,dispute,A3,resolved
        C1,2025-07-02,dispute,A2,open
        """,
    )
    items = ladder_items(ds, as_of=AS_OF, policy=default_policy()).collect().sort("item_id")
    assert items["disputed"].to_list() == [True, False, False]
    assert items["rung"].cast(pl.String).to_list() == [None, "level_2", "level_3"]
    assert items["interest"][0] == 0  # no interest while the dispute is open
    frame = _worklist(ds)
    assert sorted(frame["rung"]) == ["level_2", "level_3"]  # the dispute after D is not known yet
    assert set(frame["disputed_items"]) == {1}
    assert set(frame["disputed_amount"]) == {40_000}


def test_interest_on_disputed_when_the_policy_says_so(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=_invoice_rows([15]),
        activities="""
        customer_id,date,type,invoice_id
        C1,2025-06-20,dispute,I15
        """,
    )
    path = policy_file(tmp_path, "[interest]\non_disputed = true\n")
    items = ladder_items(ds, as_of=AS_OF, policy=load_policy(path)).collect()
    assert items["interest"].to_list() == [41]
    assert items["rung"].to_list() == [None]  # still off the ladder


def test_worklist_status_done_promised_late(tmp_path):
    ds = make_data(
        tmp_path,
        customers=CUSTOMERS,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        A1,C1,2025-05-01,2025-06-15,100.00
        B1,C2,2025-05-01,2025-06-15,100.00
        G1,C3,2025-05-01,2025-06-15,100.00
        """,
        activities="""
        customer_id,date,type,amount,promised_date,outcome
        C1,2025-06-24,letter,,,sent
        C2,2025-06-25,promise,100.00,2025-07-04,
        C3,2025-06-10,letter,,,sent
        C3,2025-06-29,call,,,reached
        """,
    )
    frame = _worklist(ds)
    status = dict(frame.select("customer_id", "status").iter_rows())
    # C1: the level-3 letter went out after the item reached level 3 (2025-06-23)
    # C2: a promise to pay by 4 July is running; C3: a letter before level 3 does not count,
    # and level 3 was due within 1 business day of 23 June
    assert status == {"C1": "done", "C2": "promised", "C3": "late"}
    rows = {r["customer_id"]: r for r in frame.iter_rows(named=True)}
    assert rows["C1"]["done_on"] == D("2025-06-24")
    assert (rows["C2"]["open_promises"], rows["C2"]["open_promise_amount"]) == (1, 10_000)
    assert rows["C2"]["next_promised_date"] == D("2025-07-04")
    assert (rows["C3"]["last_contact"], rows["C3"]["last_contact_type"]) == (
        D("2025-06-29"), "call")  # fmt: skip
    assert rows["C3"]["deadline"] == D("2025-06-24")


def test_worklist_credit_hold_follows_the_policy(tmp_path):
    ds = make_data(
        tmp_path,
        customers=CUSTOMERS,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        A1,C1,2025-01-01,2025-04-16,100.00
        """,
    )
    assert _worklist(ds)["credit_hold"].to_list() == [False]  # 75 days: under the default 90
    path = policy_file(tmp_path, "[credit_hold]\nhold_after_days = 60\n")
    assert _worklist(ds, load_policy(path))["credit_hold"].to_list() == [True]


def test_worklist_table_for_files(tmp_path):
    ds = make_data(
        tmp_path,
        customers=CUSTOMERS,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        A1,C1,2025-05-01,2025-06-15,100.00
        """,
    )
    raw = worklist(ds, as_of=AS_OF, policy=default_policy()).collect()
    table = worklist_table(raw, digits=ds.digits, lang="zh")
    row = table.row(0, named=True)
    assert row["amount"] == Decimal("100.00")
    assert row["interest"] == Decimal("0.41")
    assert row["action"] == "最后催款函"
    assert table.schema["customer_id"] == pl.String


def test_worklist_reads_no_clock(tmp_path):
    """The same tables at two dates give two different worklists: D, not today, decides."""
    ds = make_data(tmp_path, invoices=_invoice_rows([2]))
    early = _worklist_at(ds, AS_OF)
    later = _worklist_at(ds, AS_OF + timedelta(days=40))
    assert early == ["level_1"] and later == ["demand"]


def _worklist_at(ds, day: date) -> list[str]:
    frame = worklist(ds, as_of=day, policy=default_policy()).collect()
    return frame["rung"].cast(pl.String).to_list()
