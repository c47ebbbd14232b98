"""Collections at D (issue 7): the dunning rung each open item has reached, its late interest,
and the day's actions per owner (the worklist).

A pure function of the tables, D and the credit policy. Money stays in Int64 minor units of
the base currency (`*_ccy` columns: of the item's own currency, for the customer's letters).
A disputed invoice leaves the ladder (nobody chases what the customer contests until the
dispute is settled) but stays in every amount owed; by default it accrues no interest.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from reportgen import money
from reportgen.aging import aging_summary, days_overdue
from reportgen.credit import customer_exposure
from reportgen.ledger import open_items
from reportgen.load import Dataset
from reportgen.metrics import promises
from reportgen.policy import COLLECTOR, Policy

# Activities that are a contact with the customer (a note is only for ourselves).
CONTACT_TYPES = ("reminder", "call", "email", "letter", "visit", "promise", "dispute", "legal")
UNASSIGNED = "unassigned"
STATUS_ORDER = {"late": 0, "due": 1, "promised": 2, "done": 3}
DAYS_IN_YEAR = 365


def interest(amount: str | pl.Expr, days: str | pl.Expr, *, rate_ppm: int) -> pl.Expr:
    """Simple daily interest: amount × annual rate × days / 365, half-up to the minor unit.

    `rate_ppm` is the annual rate in millionths (10 % = 100000), so the product is exact in
    Int128 and only the final division rounds."""
    amount = pl.col(amount) if isinstance(amount, str) else amount
    days = pl.col(days) if isinstance(days, str) else days
    numerator = amount.cast(pl.Int128) * rate_ppm * days.clip(lower_bound=0).cast(pl.Int128)
    denominator = DAYS_IN_YEAR * 1_000_000
    rounded = ((numerator.abs() * 2 + denominator) // (2 * denominator)).cast(pl.Int64)
    return pl.when(numerator < 0).then(-rounded).otherwise(rounded)


def fee_units(fee: Decimal, digits: int) -> int:
    """A policy fee in minor units of the base currency."""
    return int((fee * 10**digits).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rung_of(days: str | pl.Expr, policy: Policy) -> pl.Expr:
    """The ladder rung that holds `days` overdue (null where none does), as an Enum in
    ladder order."""
    days = pl.col(days) if isinstance(days, str) else days
    keys = [r.key for r in policy.ladder]
    expr = pl.lit(None, pl.String)
    for rung in reversed(policy.ladder):
        inside = days >= rung.from_days
        if rung.to_days is not None:
            inside = inside & (days <= rung.to_days)
        expr = pl.when(inside).then(pl.lit(rung.key)).otherwise(expr)
    return expr.cast(pl.Enum(keys))


def disputed_invoices(ds: Dataset, *, as_of: date) -> pl.LazyFrame:
    """invoice_id, dispute_date: invoices with a dispute raised by D that is not resolved.

    An activity's outcome is written on its own row without a date; a dispute recorded as
    `resolved` is taken as settled by D."""
    if not ds.has("activities") or "invoice_id" not in ds.tables["activities"].columns:
        return pl.LazyFrame(schema={"invoice_id": pl.String, "dispute_date": pl.Date})
    names = ds.tables["activities"].columns
    outcome = pl.col("outcome") if "outcome" in names else pl.lit(None, pl.String)
    return (
        ds.table("activities")
        .filter(
            (pl.col("type") == "dispute")
            & (pl.col("date") <= as_of)
            & pl.col("invoice_id").is_not_null()
            & (outcome.fill_null("") != "resolved")
        )
        .group_by("invoice_id")
        .agg(dispute_date=pl.col("date").min())
    )


def ladder_items(ds: Dataset, *, as_of: date, policy: Policy) -> pl.LazyFrame:
    """Every open invoice instalment owed at D with `days_overdue`, `disputed`, the `rung` it
    has reached (null when disputed or on no rung), `rung_since` (the day it reached it) and
    its late `interest` (base) and `interest_ccy` (its own currency)."""
    items = open_items(ds, as_of=as_of).filter(
        (pl.col("kind") == "invoice") & (pl.col("open_amount") > 0)
    )
    disputes = disputed_invoices(ds, as_of=as_of)
    days = pl.col("days_overdue")
    from_days = pl.lit(None, pl.Int64)
    for rung in policy.ladder:
        from_days = pl.when(pl.col("rung") == rung.key).then(rung.from_days).otherwise(from_days)
    charged = days > 0
    if not policy.interest_on_disputed:
        charged = charged & ~pl.col("disputed")
    rate = policy.rate_ppm
    return (
        items.join(disputes, left_on="item_id", right_on="invoice_id", how="left")
        .with_columns(
            days_overdue=days_overdue(as_of=as_of),
            disputed=pl.col("dispute_date").is_not_null(),
        )
        .with_columns(
            rung=pl.when(~pl.col("disputed")).then(rung_of("days_overdue", policy)),
        )
        # the day the item reached its rung: its due date plus the rung's first day
        .with_columns(rung_since=pl.col("due_date") + pl.duration(days=from_days))
        .with_columns(
            interest=pl.when(charged)
            .then(interest("open_amount", days, rate_ppm=rate))
            .otherwise(0),
            interest_ccy=pl.when(charged)
            .then(interest("open_amount_ccy", days, rate_ppm=rate))
            .otherwise(0),
        )
        .drop("dispute_date")
    )


# --- the worklist ----------------------------------------------------------------------


def _customers(ds: Dataset) -> pl.LazyFrame:
    names = ds.tables["customers"].columns if ds.has("customers") else []

    def optional(column: str) -> pl.Expr:
        return pl.col(column) if column in names else pl.lit(None, pl.String)

    return ds.table("customers").select(
        "customer_id",
        name=optional("name"),
        collector=optional("owner"),
        language=optional("language"),
        risk_class=optional("risk_class"),
    )


def _last_contact(ds: Dataset, as_of: date) -> pl.LazyFrame:
    """The latest contact of each customer by D (its date and type)."""
    if not ds.has("activities"):
        return pl.LazyFrame(
            schema={
                "customer_id": ds.tables["invoices"]["customer_id"].dtype,
                "last_contact": pl.Date,
                "last_contact_type": pl.String,
            }
        )
    return (
        ds.table("activities")
        .filter((pl.col("date") <= as_of) & pl.col("type").is_in(CONTACT_TYPES))
        .sort("date", maintain_order=True)
        .group_by("customer_id")
        .agg(last_contact=pl.col("date").last(), last_contact_type=pl.col("type").last())
    )


def _contacts(ds: Dataset, as_of: date) -> pl.LazyFrame:
    """customer_id, channel, contacted: every contact by D, for 'already done'."""
    if not ds.has("activities"):
        return pl.LazyFrame(
            schema={
                "customer_id": ds.tables["invoices"]["customer_id"].dtype,
                "channel": pl.String,
                "contacted": pl.Date,
            }
        )
    return (
        ds.table("activities")
        .filter(pl.col("date") <= as_of)
        .select("customer_id", channel="type", contacted="date")
    )


def open_promises(ds: Dataset, *, as_of: date) -> pl.LazyFrame:
    """Per customer: promises made by D whose promised date is after D and not yet kept."""
    return (
        promises(ds, as_of=as_of)
        .filter((pl.col("promised_date") > as_of) & ~pl.col("kept"))
        .group_by("customer_id")
        .agg(
            open_promises=pl.len().cast(pl.Int64),
            open_promise_amount=pl.col("promised").sum(),
            next_promised_date=pl.col("promised_date").min(),
        )
    )


def worklist(
    ds: Dataset,
    *,
    as_of: date,
    policy: Policy,
    grades: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Today's collection actions: one row per customer and rung reached, for its owner.

    `grades` (customer_id, grade) is the customer's credit rating; without it the
    `risk_class` of the customer list is used, else C. Rows are ordered by owner and then
    priority (overdue amount × days overdue × risk, see the policy); money in minor units."""
    items = ladder_items(ds, as_of=as_of, policy=policy).collect()
    rungs = pl.DataFrame(
        {
            "rung": [r.key for r in policy.ladder],
            "within_business_days": [r.within_business_days for r in policy.ladder],
            "channel": [r.channel for r in policy.ladder],
            "rung_owner": [r.owner for r in policy.ladder],
            "fee": [fee_units(r.fee, ds.digits) for r in policy.ladder],
            "to_days": [r.to_days for r in policy.ladder],
            "pay_within_days": [r.pay_within_days for r in policy.ladder],
            "next_rung": [r.key for r in policy.ladder[1:]] + [None],
        },
        schema_overrides={
            "rung": items.schema["rung"],
            "to_days": pl.Int64,
            "pay_within_days": pl.Int64,
        },
    )
    # Every instalment the customer has reached a rung with, grouped: one action per rung.
    actions = (
        items.filter(pl.col("rung").is_not_null())
        .group_by("customer_id", "rung")
        .agg(
            items=pl.len().cast(pl.Int64),
            invoices=pl.col("item_id").unique().sort().str.join(", "),
            amount=pl.col("open_amount").sum(),
            interest=pl.col("interest").sum(),
            max_days_overdue=pl.col("days_overdue").max(),
            oldest_due=pl.col("due_date").min(),
            level_since=pl.col("rung_since").min(),
        )
        .join(rungs, on="rung", how="left")
    )
    deadlines = {
        (start, n): policy.calendar.deadline(start, n)
        for start, n in actions.select("level_since", "within_business_days").unique().iter_rows()
    }
    actions = actions.with_columns(
        deadline=pl.struct("level_since", "within_business_days").map_elements(
            lambda s: deadlines[(s["level_since"], s["within_business_days"])],
            return_dtype=pl.Date,
        ),
    )
    # the payment is requested within the rung's `pay_within_days` of the letter's date (D);
    # a rung without it: by the last day before the oldest item climbs to the next rung
    # (the action's deadline on the last rung). Never before D.
    actions = actions.with_columns(
        pay_by=pl.when(pl.col("pay_within_days").is_not_null())
        .then(pl.lit(as_of) + pl.duration(days="pay_within_days"))
        .when(pl.col("to_days").is_not_null())
        .then(pl.max_horizontal(pl.col("oldest_due") + pl.duration(days="to_days"), pl.lit(as_of)))
        .otherwise(pl.max_horizontal("deadline", pl.lit(as_of)))
    ).drop("pay_within_days")
    done = (
        actions.lazy()
        .select("customer_id", "rung", "channel", "level_since")
        .join(_contacts(ds, as_of), on=["customer_id", "channel"])
        .filter(pl.col("contacted") >= pl.col("level_since"))
        .group_by("customer_id", "rung")
        .agg(done_on=pl.col("contacted").max())
    )
    disputed = (
        items.lazy()
        .filter(pl.col("disputed"))
        .group_by("customer_id")
        .agg(disputed_amount=pl.col("open_amount").sum(), disputed_items=pl.len().cast(pl.Int64))
    )
    summary = aging_summary(open_items(ds, as_of=as_of), as_of=as_of)
    exposure = customer_exposure(summary, ds, hold_after_days=policy.hold_after_days).select(
        "customer_id", "credit_hold"
    )
    risk = pl.DataFrame(
        {
            "grade": [g for g, _ in policy.risk_weights],
            "risk_weight": [w for _, w in policy.risk_weights],
        }
    ).lazy()
    graded = (
        grades
        if grades is not None
        else pl.LazyFrame(schema={"customer_id": items.schema["customer_id"], "grade": pl.String})
    )
    frame = (
        actions.lazy()
        .join(_customers(ds), on="customer_id", how="left")
        .join(done, on=["customer_id", "rung"], how="left")
        .join(disputed, on="customer_id", how="left")
        .join(open_promises(ds, as_of=as_of), on="customer_id", how="left")
        .join(_last_contact(ds, as_of), on="customer_id", how="left")
        .join(exposure, on="customer_id", how="left")
        .join(graded.select("customer_id", __grade="grade"), on="customer_id", how="left")
        .with_columns(
            grade=pl.coalesce("__grade", "risk_class", pl.lit("C")),
            disputed_amount=pl.col("disputed_amount").fill_null(0),
            disputed_items=pl.col("disputed_items").fill_null(0),
            open_promises=pl.col("open_promises").fill_null(0),
            open_promise_amount=pl.col("open_promise_amount").fill_null(0),
        )
        .join(risk, on="grade", how="left")
        .with_columns(
            owner=pl.when(pl.col("rung_owner") == COLLECTOR)
            .then(pl.col("collector").fill_null(UNASSIGNED))
            .otherwise(pl.col("rung_owner")),
            # no fee and no interest before the due date: a courtesy reminder
            fee=pl.when(pl.col("max_days_overdue") > 0).then("fee").otherwise(0),
            status=pl.when(pl.col("done_on").is_not_null())
            .then(pl.lit("done"))
            .when(pl.col("open_promises") > 0)
            .then(pl.lit("promised"))
            .when(pl.col("deadline") < as_of)
            .then(pl.lit("late"))
            .otherwise(pl.lit("due")),
            priority=(
                pl.col("amount").cast(pl.Float64)
                / 10**ds.digits
                * (1 + pl.col("max_days_overdue").clip(lower_bound=0) / policy.days_scale)
                * pl.col("risk_weight").fill_null(1.0)
            ).round(2),
        )
        .with_columns(
            amount_requested=pl.col("amount") + pl.col("interest") + pl.col("fee"),
            __status=pl.col("status").replace_strict(STATUS_ORDER, return_dtype=pl.Int8),
        )
    )
    return frame.sort(
        ["owner", "__status", "priority", "customer_id", "rung"],
        descending=[False, False, True, False, False],
    ).select(WORKLIST_COLUMNS)


WORKLIST_COLUMNS = [
    "owner",
    "customer_id",
    "name",
    "rung",
    "channel",
    "status",
    "level_since",
    "deadline",
    "done_on",
    "items",
    "invoices",
    "max_days_overdue",
    "amount",
    "interest",
    "fee",
    "amount_requested",
    "pay_by",
    "next_rung",
    "grade",
    "priority",
    "credit_hold",
    "disputed_items",
    "disputed_amount",
    "last_contact",
    "last_contact_type",
    "open_promises",
    "open_promise_amount",
    "next_promised_date",
    "language",
]
WORKLIST_MONEY = [
    "amount",
    "interest",
    "fee",
    "amount_requested",
    "disputed_amount",
    "open_promise_amount",
]


# What each rung of the default ladder asks of its owner, in the two report languages; a
# rung of a user's own ladder is shown by its key.
ACTION_WORDS = {
    "pre_due": ("Courtesy reminder before the due date", "到期前提醒"),
    "level_1": ("First reminder", "第一次催款提醒"),
    "level_2": ("Second reminder: call the customer", "第二次催款：电话联系客户"),
    "level_3": ("Final reminder letter", "最后催款函"),
    "demand": ("Formal letter of demand", "正式催款函"),
    "lawyer_letter": ("Lawyer's letter", "律师函"),
    "litigation": ("Litigation", "提起诉讼"),
}


def action_words(key: str, lang: str = "en") -> str:
    words = ACTION_WORDS.get(key)
    return key if words is None else words[0 if lang == "en" else 1]


def worklist_table(frame: pl.DataFrame, *, digits: int, lang: str = "en") -> pl.DataFrame:
    """The worklist for a file: money as exact decimals, the rung's action in words."""
    keys = frame["rung"].cast(pl.String)
    return frame.with_columns(
        pl.col("customer_id").cast(pl.String),
        *[money.to_decimal(c, digits).alias(c) for c in WORKLIST_MONEY],
        rung=keys,
    ).insert_column(4, pl.Series("action", [action_words(k, lang) for k in keys], pl.String))
