"""The two languages of the review site: words, and numbers and dates as each language writes them.

Context builders hold raw values (exact decimals, floats, dates); templates show them through
one `Lang`, so an English and a Chinese page differ only here. Chinese pages are Chinese
throughout: labels, headings, dates (2025年12月31日), currency words (元).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportgen import metrics

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
QUARTERS_ZH = ("一", "二", "三", "四")
# the Chinese word for an amount in a currency; other codes are written as they are
CURRENCY_ZH = {
    "CNY": "元", "USD": "美元", "EUR": "欧元", "HKD": "港元", "JPY": "日元", "GBP": "英镑",
}  # fmt: skip
DASH = "—"  # a blank value: nothing to show, never a zero


@dataclass(frozen=True)
class Lang:
    """Formats one language's numbers, dates and periods; `t(key)` gives its words."""

    code: str  # en | zh
    currency: str  # the base currency code
    digits: int  # minor digits of money

    @property
    def zh(self) -> bool:
        return self.code == "zh"

    def t(self, key: str, **values: object) -> str:
        """The words for `key` (see WORDS), with `{name}` fields filled in."""
        text = WORDS[key][1 if self.zh else 0]
        if values.get("unit") == "":  # data without a currency: no empty brackets
            text = text.replace(" ({unit})", "").replace("（{unit}）", "")
        return text.format(**values) if values else text

    # --- numbers ------------------------------------------------------------------------

    def money(self, value: Decimal | int | float | None) -> str:
        """`1,234,567.89` in the base currency's minor digits; a dash when blank."""
        if value is None:
            return DASH
        return f"{Decimal(value):,.{self.digits}f}"

    def money_unit(self) -> str:
        """The currency as a unit after a number or in a heading: `CNY` / `元`."""
        return CURRENCY_ZH.get(self.currency, self.currency) if self.zh else self.currency

    def amount(self, value: Decimal | int | float | None) -> str:
        """Money with its currency: `CNY 1,234.00` / `1,234.00 元`."""
        if value is None:
            return DASH
        return (
            f"{self.money(value)} {self.money_unit()}"
            if self.zh
            else (f"{self.currency} {self.money(value)}")
        )

    def in_unit(self) -> str:
        """The currency after a column heading: ` (CNY)` / `（元）`."""
        if not self.currency:
            return ""
        return f"（{self.money_unit()}）" if self.zh else f" ({self.currency})"

    def count(self, value: int | None) -> str:
        return DASH if value is None else f"{value:,}"

    def percent(self, value: float | None, places: int = 1) -> str:
        """A percentage already in % (84.9 -> `84.9 %`), the style of `metrics.format_value`."""
        return DASH if value is None else f"{value:.{places}f} %"

    def share(self, value: float | Decimal | None) -> str:
        """A ratio as a percentage (1.05 -> `105.0 %`)."""
        return DASH if value is None else self.percent(float(value) * 100)

    def days(self, value: float | int | None) -> str:
        if value is None:
            return DASH
        unit = "天" if self.zh else ("day" if value == 1 else "days")
        return f"{value:,.1f} {unit}" if isinstance(value, float) else f"{value:,} {unit}"

    def metric(self, key: str, value: object) -> str:
        """A KPI value exactly as `reportgen kpis` prints it (one formatting for both faces)."""
        return metrics.format_value(metrics.BY_KEY[key], value, lang=self.code)

    def change(self, key: str, value: float | Decimal | None) -> str:
        """A KPI's change against a comparison: signed, in the KPI's unit (percentage points
        for percents and shares)."""
        if value is None:
            return DASH
        unit = metrics.BY_KEY[key].unit
        number = float(value)
        sign = "+" if number > 0 else ("-" if number < 0 else "±")
        size = abs(number)
        if unit == "money":
            return f"{sign}{abs(Decimal(value)):,.{self.digits}f}"
        if unit == "count":
            return f"{sign}{int(size):,}"
        if unit == "days":
            return f"{sign}{size:,.1f} {'天' if self.zh else 'days'}"
        if unit in ("percent", "share"):
            points = size * 100 if unit == "share" else size
            return f"{sign}{points:.1f} {'个百分点' if self.zh else 'pp'}"
        return f"{sign}{size:.2f}×"

    # --- dates and periods --------------------------------------------------------------

    def date(self, day: date | None) -> str:
        """`31 Dec 2025` / `2025年12月31日`."""
        if day is None:
            return DASH
        if self.zh:
            return f"{day.year}年{day.month}月{day.day}日"
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"

    def period(self, label: str) -> str:
        """A period's name: `December 2025`, `Q4 2025`, `2025` / `2025年12月`, `2025年第四季度`,
        `2025年`; a period cut by the report's range is named by its first and last day."""
        if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
            year, month = int(m[1]), int(m[2])
            return f"{year}年{month}月" if self.zh else f"{MONTH_NAMES_EN[month - 1]} {year}"
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
            year, quarter = int(m[1]), int(m[2])
            return f"{year}年第{QUARTERS_ZH[quarter - 1]}季度" if self.zh else f"Q{quarter} {year}"
        if re.fullmatch(r"\d{4}", label):
            return f"{label}年" if self.zh else label
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", label):
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            return (
                f"{self.date(first)}至{self.date(last)}"
                if self.zh
                else (f"{self.date(first)} – {self.date(last)}")
            )
        return label

    def short_period(self, label: str) -> str:
        """A compact period name for chart axes: `Dec 2025` / `2025年12月`."""
        if not self.zh and (m := re.fullmatch(r"(\d{4})-(\d{2})", label)):
            return f"{MONTHS_EN[int(m[2]) - 1]} {m[1]}"
        return self.period(label)

    def metric_label(self, key: str) -> str:
        m = metrics.BY_KEY[key]
        return m.label_zh if self.zh else m.label

    def metric_formula(self, key: str) -> str:
        m = metrics.BY_KEY[key]
        return m.formula_zh if self.zh else m.formula

    def bucket(self, label: str) -> str:
        """An aging bucket's name: `Not yet due`, `1-30 days` / `未到期`, `1-30 天`."""
        if label == "not_due":
            return self.t("not_due")
        return f"{label} 天" if self.zh else f"{label} days"


# key -> (English, 中文). Words only: numbers and dates are formatted by `Lang`.
WORDS: dict[str, tuple[str, str]] = {
    # site and navigation
    "site_name": ("Credit review", "信用管理评审"),
    "home": ("Portfolio", "总览"),
    "reviews": ("Reviews", "评审"),
    "customers": ("Key accounts", "重点客户"),
    "methodology": ("Methodology", "方法说明"),
    "data_quality": ("Data quality", "数据质量"),
    "review_title": ("Credit review {period}", "{period}信用评审"),
    "monthly": ("monthly", "月度"),
    "quarterly": ("quarterly", "季度"),
    # facts shown on every page
    "as_of": ("As of", "截止日期"),
    "as_of_line": (
        "Figures as of {date}, in {currency}. Inputs fingerprint `{fingerprint}` "
        "(SHA-256 of the input files, see [Data quality]({quality})).",
        "数据截止 {date}，金额单位：{currency}。输入文件指纹 `{fingerprint}`"
        "（各输入文件 SHA-256 的汇总，见[数据质量]({quality})）。",
    ),
    "period": ("Period", "期间"),
    "review": ("Review", "评审"),
    "customer": ("Customer", "客户"),
    "customer_id": ("Customer id", "客户编号"),
    "not_due": ("Not yet due", "未到期"),
    "overdue": ("Overdue", "逾期"),
    "total": ("Total", "合计"),
    "share_of_ar": ("Share of AR", "占应收比例"),
    "amount_unit": ("Amount ({unit})", "金额（{unit}）"),
    "none_found": ("None.", "无。"),
    "more_rows": ("… and {n} more.", "……另有 {n} 条。"),
    # home
    "home_intro": (
        "The receivable across {n} {every} reviews, from {first} to {last}.",
        "应收账款在 {first} 至 {last} 共 {n} 期{every}评审中的变化。",
    ),
    "headline": ("Where the receivable stands", "应收账款现状"),
    "trend": ("Over time", "趋势"),
    "all_reviews": ("Every review", "全部评审"),
    "chart_ar": ("Receivable at each review (AR and overdue)", "各期末应收账款（总额与逾期）"),
    "chart_days": (
        "DSO, best possible DSO and average days delinquent",
        "DSO、BPDSO 与平均逾期天数",
    ),
    "chart_cei": ("Collection effectiveness index (CEI)", "回款有效性指数 (CEI)"),
    "chart_mix": ("Aging mix at each review", "各期末账龄结构"),
    "chart_util": ("Portfolio utilization of credit limits", "整体信用额度使用率"),
    "axis_amount": ("Amount ({unit})", "金额（{unit}）"),
    "axis_days": ("Days", "天数"),
    "axis_percent": ("%", "%"),
    "ar": ("AR", "应收账款"),
    "overdue_share": ("Overdue share", "逾期占比"),
    # review
    "review_intro": (
        "Review of {period}: from {first} to {last} ({days} days). Previous review: {previous}.",
        "{period}评审：{first} 至 {last}（{days} 天）。上一期评审：{previous}。",
    ),
    "no_previous": ("none", "无"),
    "next_line": (" Next review: {next}.", "下一期评审：{next}。"),
    "kpis": ("Key figures", "关键指标"),
    "kpi": ("KPI", "指标"),
    "value": ("Value", "本期"),
    "previous": ("Previous period", "上期"),
    "change": ("Change", "变动"),
    "year_ago": ("Same period a year before", "上年同期"),
    "kpi_note": (
        "Changes are this period minus the comparison period; ▲ marks a change for the "
        "better, ▼ one for the worse. A dash: no data for that period.",
        "变动 = 本期 − 对比期；▲ 表示改善，▼ 表示恶化。“—”表示该期无数据。",
    ),
    "aging": ("Aging", "账龄分析"),
    "bucket": ("Bucket", "账龄区间"),
    "at_start": ("Last review ({date})", "上期末（{date}）"),
    "at_end": ("This review ({date})", "本期末（{date}）"),
    "chart_aging": ("Aging at {date} and at the last review", "{date}与上期末的账龄分布"),
    "top_overdue": ("Top overdue customers", "逾期金额最大的客户"),
    "overdue_amount": ("Overdue ({unit})", "逾期金额（{unit}）"),
    "over_90": ("Over 90 days ({unit})", "逾期 90 天以上（{unit}）"),
    "max_days": ("Most days overdue", "最长逾期天数"),
    "share_of_overdue": ("Share of overdue", "占逾期总额"),
    "limits": ("Over limit and credit holds", "超额度与信用冻结"),
    "limits_intro": (
        "A credit hold is recommended for a customer over its limit or with an item more than "
        "{days} days overdue (SPEC §4).",
        "客户超出信用额度，或有逾期超过 {days} 天的款项时，建议冻结赊销（SPEC §4）。",
    ),
    "limit": ("Limit ({unit})", "信用额度（{unit}）"),
    "exposure": ("Exposure ({unit})", "风险敞口（{unit}）"),
    "utilization": ("Utilization", "额度使用率"),
    "over_by": ("Over limit by ({unit})", "超额度金额（{unit}）"),
    "reason": ("Reason", "原因"),
    "why_over_limit": ("over limit", "超额度"),
    "why_overdue": ("over {days} days overdue", "逾期超过 {days} 天"),
    "no_limit": ("no limit", "无额度"),
    "changes": ("New and worsened overdue accounts", "新增与恶化的逾期客户"),
    "changes_intro": (
        "Compared with the last review ({date}). New: nothing overdue then, something "
        "overdue now. Worsened: overdue at both, and now more overdue or overdue longer.",
        "与上期末（{date}）相比。新增：上期末无逾期、本期末有逾期；恶化：两期均有逾期，"
        "且逾期金额增加或最长逾期区间变长。",
    ),
    "status": ("Status", "状态"),
    "new": ("new", "新增"),
    "worsened": ("worsened", "恶化"),
    "overdue_then": ("Overdue then ({unit})", "上期末逾期（{unit}）"),
    "overdue_now": ("Overdue now ({unit})", "本期末逾期（{unit}）"),
    "oldest_then": ("Oldest bucket then", "上期最长账龄"),
    "oldest_now": ("Oldest bucket now", "本期最长账龄"),
    "reconciliation": ("Reconciliation", "对账"),
    "exceptions": ("Exceptions at {date}", "{date}的对账差异"),
    "category": ("Category", "类别"),
    "findings": ("Findings", "条数"),
    "documents": ("Documents", "单据"),
    "explanation": ("Explanation", "说明"),
    "date": ("Date", "日期"),
    "exceptions_note": (
        "Categories overlap (an advance larger than what is owed is unapplied cash and a "
        "credit balance), so their amounts are not added up.",
        "各类别可能重叠（例如超过欠款的预收款既是未核销收款，也形成贷方余额），因此金额不相加。",
    ),
    "rollforward": ("Roll-forward of the period", "本期余额滚动"),
    "rf_line": ("Line", "项目"),
    "rf_opening": ("Opening balance", "期初余额"),
    "rf_invoiced": ("Invoiced", "本期开票"),
    "rf_collected": ("Collected", "本期收款"),
    "rf_credited": ("Credit notes", "贷项通知"),
    "rf_written_off": ("Written off", "核销坏账"),
    "rf_refunds": ("Refunds", "退款"),
    "rf_fx_revaluation": ("Exchange revaluation", "汇率重估"),
    "rf_difference": ("Unexplained difference", "未解释差额"),
    "rf_closing": ("Closing balance", "期末余额"),
    "rf_note": (
        "Opening + invoiced − collected − credit notes − written off + refunds + exchange "
        "revaluation + unexplained difference = closing (net balances, unapplied cash included).",
        "期初 + 开票 − 收款 − 贷项通知 − 核销 + 退款 + 汇率重估 + 未解释差额 = 期末"
        "（净余额，含未核销款项）。",
    ),
    "exceptions_last_only": (
        "This build lists reconciliation exceptions at the last review ({date}) only; "
        "`reportgen reconcile DATA --as-of {end}` lists them at this review's date.",
        "本次生成只列出最后一期评审（{date}）的对账差异；本期的差异可用 "
        "`reportgen reconcile DATA --as-of {end}` 查看。",
    ),
    "customers_capped": (
        "{n} customers qualify; the {shown} with the largest exposure have a credit file here "
        "(`reportgen aging DATA --credit` lists them all).",
        "共有 {n} 家客户符合条件，此处为风险敞口最大的 {shown} 家建立信用档案"
        "（全部客户可用 `reportgen aging DATA --credit` 查看）。",
    ),
    "reconciliation_off": (
        "Reconciliation is not part of this build.",
        "本次生成未包含对账。",
    ),
    "collections": ("Collections", "催收"),
    "ratings": ("Credit ratings", "信用评级"),
    "collections_intro": (
        "The dunning ladder at {date}: the actions the credit policy asks for, per rung "
        "(`reportgen worklist DATA --as-of {end}` lists every one).",
        "{date}的催收阶梯：信用政策要求的催收动作（逐条明细可用 "
        "`reportgen worklist DATA --as-of {end}` 查看）。",
    ),
    "rung": ("Rung", "催收级别"),
    "actions": ("Actions", "动作数"),
    "late_actions": ("Past deadline", "已超期"),
    "interest_amount": ("Late interest ({unit})", "逾期利息（{unit}）"),
    "largest_actions": ("Largest actions", "最重要的催收动作"),
    "deadline": ("Deadline", "截止日"),
    "status_late": ("late", "已超期"),
    "status_due": ("due", "待办"),
    "status_promised": ("promised", "已承诺付款"),
    "status_done": ("done", "已完成"),
    "owner_unassigned": ("no collector named", "未指定负责人"),
    "promises": ("Promises to pay", "付款承诺"),
    "promises_line": (
        "{due} promises fell due in the period, {kept} kept ({rate}); {escalated} of the "
        "broken ones were the customer's second in a row or more.",
        "本期到期的付款承诺 {due} 项，兑现 {kept} 项（{rate}）；其中 {escalated} "
        "项为客户连续第二次或以上违约。",
    ),
    "overdue_reasons": ("Overdue reasons", "逾期原因"),
    "reason_financial_difficulty": ("financial difficulty", "资金困难"),
    "reason_forgot": ("forgot", "遗忘"),
    "reason_dispute": ("dispute", "争议"),
    "reason_service_issue": ("service issue", "服务问题"),
    "reason_communication": ("communication", "沟通问题"),
    "reason_other": ("other", "其他"),
    "reason_unknown": ("not recorded", "未记录"),
    "count_items": ("Items", "笔数"),
    "share": ("Share", "占比"),
    "grade": ("Grade", "评级"),
    "previous_grade": ("Before", "上期评级"),
    "customers_count": ("Customers", "客户数"),
    "score": ("Score", "得分"),
    "warnings_col": ("Warnings", "预警"),
    "rating_changes": (
        "{down} customers were downgraded and {up} upgraded against the period before.",
        "与上期相比，{down} 家客户评级下调，{up} 家上调。",
    ),
    "early_warnings": ("Early warnings", "早期预警"),
    "warning_downgrade": ("downgrade", "评级下调"),
    "warning_utilization_jump": ("utilization jump", "额度使用率骤升"),
    # {days} and {periods}: the policy's warnings.overdue_days and warnings.slowing_periods
    "warning_first_over_days": ("first item over {days} days", "首次出现逾期超 {days} 天款项"),
    "warning_slowing": ("paying slower {periods} periods running", "付款连续 {periods} 期变慢"),
    "policy_heading": ("Collections and credit ratings", "催收与信用评级"),
    "policy_intro": (
        "From the credit policy ({source}). Business days follow the holiday calendar of "
        "{country}. Late interest: {rate} % a year, simple daily interest on the overdue "
        "amount, 365-day year; a disputed invoice leaves the ladder and accrues none.",
        "依据信用政策（{source}）。工作日按 {country} 的节假日安排计算。逾期利息：年利率 "
        "{rate}%，按逾期金额每日单利计息，一年按 365 天计；有争议的发票不进入催收阶梯，也不计息。",
    ),
    "policy_intro_disputed_interest": (
        "From the credit policy ({source}). Business days follow the holiday calendar of "
        "{country}. Late interest: {rate} % a year, simple daily interest on the overdue "
        "amount, 365-day year; a disputed invoice leaves the ladder but still accrues it.",
        "依据信用政策（{source}）。工作日按 {country} 的节假日安排计算。逾期利息：年利率 "
        "{rate}%，按逾期金额每日单利计息，一年按 365 天计；有争议的发票不进入催收阶梯，"
        "但照常计息。",
    ),
    "days_window": ("Days overdue", "逾期天数"),
    "within": ("Within (business days)", "时限（工作日）"),
    "pay_within": ("Letter: pay within (days)", "函件付款期限（天）"),
    "pay_within_note": (
        "A letter asks for payment within its rung's days (calendar days) of the letter's date, "
        "the as-of date D. A rung without them (—) asks for payment by the last day before the "
        "oldest item reaches the next rung: by the due date before it is due, by the action's "
        "deadline on the last rung; never before D.",
        "催款函要求自函件日期（即截至日 D）起，在该级别规定的天数（自然日）内付款。未规定天数的"
        "级别（—）要求在最早一笔款项升至下一级别的前一天之前付款：未到期时为到期日，最后一个"
        "级别为行动时限；付款日不早于 D。",
    ),
    "channel": ("Channel", "方式"),
    "fee_col": ("Fee ({unit})", "费用（{unit}）"),
    "factor": ("Factor", "因素"),
    "weight": ("Weight", "权重"),
    "full_at": ("Full points at", "满分值"),
    "factor_days_late": ("days late", "逾期付款天数"),
    "factor_days_late_trend": ("rise in days late", "逾期天数增幅"),
    "factor_utilization": ("utilization", "额度使用率"),
    "factor_max_days_overdue": ("max days overdue", "最长逾期天数"),
    "factor_broken_promises": ("broken promises", "违约承诺"),
    "factor_disputes": ("disputes", "争议"),
    "factor_exposure_share": ("share of exposure", "敞口占比"),
    "scorecard_note": (
        "Each factor scores 0–100 points, linearly up to its full value; the score is the "
        "weighted mean and the grade the first whose bound the score stays below (E above "
        "{last}). Promises and disputes count over {months} months. Warnings: a downgrade, "
        "utilization up by {jump} points, the first item over {days} days overdue, days late "
        "rising {periods} periods in a row.",
        "每项因素得 0–100 分，线性增加至满分值；总分为加权平均，评级为总分低于其上限的第一档"
        "（高于 {last} 为 E）。承诺与争议按最近 {months} 个月统计。预警：评级下调、额度使用率上升 "
        "{jump} 个百分点、首次出现逾期超过 {days} 天的款项、逾期天数连续 {periods} 期上升。",
    ),
    "grade_bounds": ("Grade bounds:", "评级上限："),
    "later_release": (
        "This section comes with a later release of reportgen; it shows no figures yet.",
        "本节将在 reportgen 后续版本中提供，目前不显示任何数据。",
    ),
    # customers
    "customers_intro": (
        "Key accounts at {date}: the {top} largest exposures, every customer over its limit, "
        "and every customer with an item more than {days} days overdue.",
        "{date}的重点客户：风险敞口最大的 {top} 家、所有超出信用额度的客户，以及有逾期超过 "
        "{days} 天款项的客户。",
    ),
    "why_key": ("Why", "入选原因"),
    "why_top": ("largest exposure", "敞口最大"),
    "why_90": ("over 90 days overdue", "逾期 90 天以上"),
    "credit_file": ("Credit file", "信用档案"),
    "profile": ("Profile", "基本信息"),
    "segment": ("Segment", "客户类别"),
    "owner": ("Owner", "负责人"),
    "terms": ("Payment terms", "付款条件"),
    "terms_days": ("{days} days", "{days} 天"),
    "currency": ("Currency", "币种"),
    "risk_class": ("Risk class", "风险等级"),
    "credit": ("Credit at {date}", "{date}的信用状况"),
    "field": ("Item", "项目"),
    "open_amount": ("Open amount ({unit})", "未清金额（{unit}）"),
    "unapplied": ("Unapplied credit ({unit})", "未核销款项（{unit}）"),
    "net_balance": ("Net balance ({unit})", "净余额（{unit}）"),
    "open_orders": ("Open orders ({unit})", "未开票订单（{unit}）"),
    "headroom": ("Headroom ({unit})", "可用额度（{unit}）"),
    "hold": ("Credit hold recommended", "建议冻结赊销"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "aging_over_time": ("Aging over time", "账龄变化"),
    "chart_customer_aging": (
        "Open amount by aging bucket at each review",
        "各期末未清金额账龄分布",
    ),
    "behaviour": ("Payment behaviour", "付款表现"),
    "behaviour_intro": (
        "Invoices settled in each period, weighted by invoice amount: days from invoice to "
        "settlement, and days past the due date.",
        "各期内结清的发票，按发票金额加权：开票至结清的天数，以及超过到期日的天数。",
    ),
    "settled_count": ("Invoices settled", "结清发票数"),
    "settled_amount": ("Amount settled", "结清金额"),
    "days_to_pay": ("Days to pay", "付款天数"),
    "days_late": ("Days late", "逾期天数"),
    "chart_behaviour": ("Days to pay and days late", "付款天数与逾期天数"),
    "open_items": ("Open items at {date}", "{date}的未清项目"),
    "invoice": ("Invoice", "发票"),
    "instalment": ("Inst.", "分期"),
    "invoice_date": ("Invoice date", "开票日期"),
    "due_date": ("Due date", "到期日"),
    "amount": ("Amount", "金额"),
    "open": ("Open", "未清"),
    "days_overdue": ("Days overdue", "逾期天数"),
    "activities": ("Recent activities", "近期沟通记录"),
    "type": ("Type", "类型"),
    "act_reminder": ("reminder", "提醒"),
    "act_call": ("call", "电话"),
    "act_email": ("email", "邮件"),
    "act_letter": ("letter", "函件"),
    "act_visit": ("visit", "拜访"),
    "act_promise": ("promise", "付款承诺"),
    "act_dispute": ("dispute", "争议"),
    "act_legal": ("legal", "法律程序"),
    "act_note": ("note", "备注"),
    "outcome": ("Outcome", "结果"),
    "out_open": ("open", "未结"),
    "out_kept": ("kept", "已兑现"),
    "out_broken": ("broken", "未兑现"),
    "out_met": ("met", "已会面"),
    "out_referred": ("referred", "已移交"),
    "out_resolved": ("resolved", "已解决"),
    "out_no_answer": ("no answer", "无人接听"),
    "out_reached": ("reached", "已联系"),
    "out_sent": ("sent", "已发送"),
    "list_sep": ("; ", "；"),
    "paren": (" ({x})", "（{x}）"),
    "note": ("Note", "备注"),
    # methodology
    "method_intro": (
        "How every figure on this site is computed. The KPI table is generated from "
        "reportgen's metrics registry, the same definitions `reportgen kpis` uses.",
        "本站每个数字的计算方法。指标表由 reportgen 的指标注册表自动生成，"
        "与 `reportgen kpis` 使用同一套定义。",
    ),
    "formula": ("Definition", "定义"),
    "unit": ("Unit", "单位"),
    "better": ("Better when", "越…越好"),
    "higher": ("higher", "越高越好"),
    "lower": ("lower", "越低越好"),
    "unit_money": ("money ({unit})", "金额（{unit}）"),
    "unit_days": ("days", "天"),
    "unit_percent": ("%", "%"),
    "unit_share": ("% of limits", "占额度 %"),
    "unit_times": ("times", "次"),
    "unit_count": ("customers", "家"),
    "rules": ("Rules", "规则"),
    "site_rules": ("Readings of this site", "本站的取数口径"),
    # data quality
    "quality_intro": (
        "What was read from {data}, what was loaded, skipped and rejected, and why.",
        "从 {data} 读取了什么、载入了什么、跳过和拒绝了什么，以及原因。",
    ),
    "files": ("Files", "文件"),
    "file": ("File", "文件"),
    "table": ("Table", "数据表"),
    "rows_read": ("Rows read", "读取行数"),
    "rows_loaded": ("Loaded", "载入"),
    "rows_skipped": ("Skipped", "跳过"),
    "rows_rejected": ("Rejected", "拒绝"),
    "checksums": ("Input checksums", "输入文件校验和"),
    "checksums_intro": (
        "SHA-256 of every input file. The same files and options always give this site "
        "byte for byte; the fingerprint combines them.",
        "每个输入文件的 SHA-256。相同的文件和参数总是生成逐字节相同的网站；指纹是它们的汇总。",
    ),
    "bytes": ("Bytes", "字节数"),
    "fingerprint": ("Fingerprint", "指纹"),
    "problems": ("Problems", "问题"),
    "problems_summary": ("Problems by reason", "问题汇总"),
    "severity": ("Severity", "级别"),
    "rows": ("Rows", "行数"),
    "problem_list": ("First problems", "问题明细（前若干条）"),
    "row": ("Row", "行"),
    "column": ("Column", "列"),
    "cell_value": ("Value", "值"),
    "no_problems": ("No problems: every row was loaded.", "没有问题：所有行均已载入。"),
    "base_currency": ("Base currency", "本位币"),
    "error": ("error", "错误"),
    "warning": ("warning", "警告"),
    "skipped": ("skipped", "跳过"),
}


def _rung_words() -> dict[str, tuple[str, str]]:
    """The default ladder's rungs, named as the worklist and the letters name them."""
    from reportgen.collections import ACTION_WORDS

    return {f"rung_{key}": words for key, words in ACTION_WORDS.items()}


WORDS.update(_rung_words())
