"""The dashboard's words in English and Chinese.

Words the review site already has are taken from its table (`reportgen.report.lang.WORDS`),
KPI names from the metrics registry, category names from `reconcile.CATEGORIES`; only what is
the dashboard's own is written here, in both languages.
"""

from __future__ import annotations

from reportgen.report.lang import WORDS as SITE_WORDS

WORDS: dict[str, tuple[str, str]] = {
    "app_title": ("reportgen — credit dashboard", "reportgen 信用管理看板"),
    # pages
    "page_overview": ("Overview", "总览"),
    "page_aging": ("Aging", "账龄分析"),
    "page_customer": ("Customer", "客户档案"),
    "page_credit": ("Credit", "信用额度"),
    "page_reconciliation": ("Reconciliation", "对账"),
    "page_data": ("Data", "数据源"),
    "page_worklist": ("Worklist", "催收工作清单"),
    "page_ratings": ("Ratings", "信用评级"),
    # sidebar
    "filters": ("Filters", "筛选"),
    "language": ("Language", "语言"),
    "period_kind": ("Period", "期间"),
    "every_month": ("Month", "月"),
    "every_quarter": ("Quarter", "季度"),
    "every_year": ("Year", "年"),
    "all": ("All", "全部"),
    "data_source": ("Data: {name}", "数据：{name}"),
    "signed_in": ("Signed in as {user}", "当前用户：{user}"),
    "sign_out": ("Sign out", "退出登录"),
    "only_owners": ("Customers of: {owners}", "仅显示负责人：{owners}"),
    "base_line": ("Amounts in {currency}.", "金额单位：{currency}。"),
    # login
    "login": ("Sign in", "登录"),
    "user": ("User", "用户名"),
    "password": ("Password", "密码"),
    "login_failed": ("Unknown user or wrong password.", "用户名或密码错误。"),
    "login_needed": ("This dashboard is protected: sign in.", "此看板需要登录。"),
    # overview
    "kpi_period": (
        "Key figures for {period}, compared with {previous}",
        "{period}关键指标（对比{previous}）",
    ),
    "no_previous_period": ("Key figures for {period}", "{period}关键指标"),
    "aging_at": ("Aging at {date}", "{date}账龄分布"),
    "trend": ("AR and DSO over the last periods", "近期应收账款与 DSO 走势"),
    "trend_ar": ("AR at period end", "期末应收"),
    "top_risks": ("Top risks at {date}", "{date}主要风险客户"),
    "top_risks_intro": (
        "Customers on credit hold first (over limit, or an item more than {days} days "
        "overdue), then by amount overdue.",
        "先列出建议冻结赊销的客户（超额度或有逾期超过 {days} 天的款项），再按逾期金额排序。",
    ),
    "no_customers": ("No customer in this selection.", "当前筛选下没有客户。"),
    # aging
    "group_by": ("Group by", "分组"),
    "by_customer": ("Customer", "客户"),
    "by_segment": ("Segment", "客户类别"),
    "by_owner": ("Owner", "负责人"),
    "by_currency": ("Currency", "币种"),
    "basis": ("Age by", "账龄口径"),
    "basis_due": ("days past due", "逾期天数"),
    "basis_invoice": ("days since invoice", "开票天数"),
    "buckets": ("Bucket bounds (days)", "账龄区间上限（天）"),
    "buckets_help": (
        "Increasing whole days separated by commas, e.g. 30,60,90,120 or 3,7,30.",
        "以逗号分隔的递增天数，例如 30,60,90,120 或 3,7,30。",
    ),
    "drill": ("Open items of", "查看未清项目："),
    "drill_all": ("(every customer in the selection)", "（当前筛选的全部客户）"),
    "customers_count": ("Customers", "客户数"),
    "level_items": ("Open items at {date}", "{date}的未清项目"),
    "items_shown": (
        "{shown} of {total} items shown; the download has them all.",
        "显示 {total} 条中的 {shown} 条；下载文件包含全部。",
    ),
    # customer
    "search": ("Search by id or name", "按编号或名称搜索"),
    "search_help": (
        "Part of the id or the name, in any language.",
        "编号或名称的一部分，中英文均可。",
    ),
    "pick_customer": ("Customer", "客户"),
    "no_match": ("No customer matches “{text}”.", "没有与“{text}”匹配的客户。"),
    "matches": ("{n} customers match", "共 {n} 家客户匹配"),
    "payments": ("Payments", "收款"),
    "credit_notes": ("Credit notes", "贷项通知"),
    "payment_behaviour": ("Payment behaviour by period", "各期付款表现"),
    "limit_word": ("Credit limit", "信用额度"),
    "exposure_word": ("Exposure", "风险敞口"),
    "open_word": ("Open amount", "未清金额"),
    "overdue_word": ("Overdue", "逾期金额"),
    # credit
    "util_distribution": ("Utilization of credit limits at {date}", "{date}信用额度使用率分布"),
    "util_band": ("Utilization", "使用率区间"),
    "over_limit_list": ("Customers over their limit", "超出信用额度的客户"),
    "holds_list": ("Credit holds recommended", "建议冻结赊销的客户"),
    "headroom_list": (
        "Headroom: limited customers, least headroom first",
        "可用额度：有额度的客户，按可用额度从少到多",
    ),
    "no_limit_band": ("no limit", "无额度"),
    "zero_limit_band": ("limit 0", "额度为 0"),
    # reconciliation
    "by_category": ("Exceptions by category", "差异分类汇总"),
    "count": ("Count", "笔数"),
    "at_stake": ("Amount at stake", "涉及金额"),
    "exception_list": ("Every exception", "差异明细"),
    "category_filter": ("Categories", "类别"),
    "rollforward_monthly": ("Monthly roll-forward (all customers)", "月度余额滚动（全部客户）"),
    "gl_scope_note": (
        "The general ledger holds every customer: with a filter the GL comparison is left out.",
        "总账包含全部客户：筛选后不做总账比对。",
    ),
    "snapshot_no_recon": (
        "This data is an open-item snapshot of one date: reconciled at {date} only.",
        "此数据为单一日期的未清项目快照：只能在 {date} 对账。",
    ),
    # worklist
    "policy_default": ("the default credit policy", "默认信用政策"),
    "policy_file": ("the credit policy {file}", "信用政策 {file} "),
    "worklist_intro": (
        "Collection actions at {date} under {policy}: one row per customer and dunning rung "
        "reached, by owner, late first and then by priority (overdue amount × days overdue × "
        "risk of the grade) — the rows `reportgen worklist` writes.",
        "{date}按{policy}应做的催收动作：每个客户每个已达到的催收级别一行，按负责人排列，"
        "先列已超期的，再按优先级（逾期金额 × 逾期天数 × 评级风险）——与 `reportgen worklist` "
        "输出的行相同。",
    ),
    "action_owner": ("Action owner", "动作负责人"),
    "owner_unassigned": ("no collector named", "未指定负责人"),
    "min_amount": ("Overdue on the rung at least ({unit})", "该级别逾期金额不低于（{unit}）"),
    "min_days": ("Days overdue at least", "逾期天数不少于"),
    "actions_shown": ("{shown} of {total} actions", "共 {total} 项动作，显示 {shown} 项"),
    "overdue_total": ("Overdue on these rungs ({unit})", "这些级别的逾期金额（{unit}）"),
    "requested_total": ("Amount to request ({unit})", "应催收金额（{unit}）"),
    "no_actions": ("No collection action in this selection.", "当前筛选下没有催收动作。"),
    "action": ("Action", "催收动作"),
    "level_since": ("On this rung since", "达到该级别日期"),
    "done_on": ("Done on", "完成日期"),
    "items_count": ("Items", "笔数"),
    "invoices": ("Invoices", "发票"),
    "requested_amount": ("Amount requested ({unit})", "应催收金额（{unit}）"),
    "disputed_amount": ("Disputed ({unit})", "争议金额（{unit}）"),
    "disputed_items": ("Disputed items", "争议笔数"),
    "promise_amount": ("Open promises ({unit})", "未到期承诺金额（{unit}）"),
    "open_promises": ("Open promises", "未到期承诺"),
    "next_promised_date": ("Next promised date", "最近承诺付款日"),
    "pay_by": ("Pay by", "要求付款日"),
    "next_rung": ("Next rung", "下一级别"),
    "priority": ("Priority", "优先级"),
    "last_contact": ("Last contact", "最近联系日期"),
    "last_contact_type": ("Last contact by", "最近联系方式"),
    "letter_language": ("Language", "语言"),
    # ratings
    "ratings_intro": (
        "Credit ratings for {period} from the scorecard of {policy}, compared with the "
        "period before — the rows `reportgen ratings` writes.",
        "{period}的信用评级（依据{policy}的评分卡），并与上期比较——与 `reportgen ratings` "
        "输出的行相同。",
    ),
    "grade_distribution": ("Customers per grade", "各评级客户数"),
    "previous_count": ("Period before", "上期"),
    "change_filter": ("Change against the period before", "与上期相比"),
    "change_up": ("upgraded", "上调"),
    "change_down": ("downgraded", "下调"),
    "change_same": ("unchanged", "不变"),
    "change_new": ("newly rated", "首次评级"),
    "grade_filter": ("Grades", "评级"),
    "every_rating": ("Every customer's rating", "全部客户评级"),
    "warning_col": ("Warning", "预警"),
    "description": ("What it means", "含义"),
    "no_warnings": ("No early warning in this period.", "本期没有早期预警。"),
    "points": ("points", "得分"),
    # customer timeline
    "timeline": ("Timeline: activities, dunning and ratings", "时间线：沟通记录、催收与评级"),
    "timeline_intro": (
        "Newest first, up to {date}: every activity recorded (a promise's status says "
        "whether it was kept), the dunning rungs the open items stand on, and the grade "
        "changes of the last {n} periods.",
        "截至 {date}，按时间倒序：所有沟通记录（付款承诺的状态表示是否兑现）、未清项目所处的"
        "催收级别，以及近 {n} 期的评级变化。",
    ),
    "event": ("Event", "事件"),
    "event_activity": ("activity", "沟通"),
    "event_dunning": ("dunning", "催收"),
    "event_rating": ("rating", "评级"),
    "promised_date": ("Promised date", "承诺付款日"),
    "no_timeline": (
        "Nothing recorded for this customer by {date}.",
        "截至 {date}，该客户没有记录。",
    ),
    # data
    "current_source": ("Figures now come from: {name}", "当前数据来源：{name}"),
    "folder": ("A folder on this computer", "本机文件夹"),
    "folder_help": (
        "A folder of canonical CSV tables or accounting exports, or one export file.",
        "包含标准 CSV 表或会计系统导出文件的文件夹，或单个导出文件。",
    ),
    "upload": ("Upload export files", "上传导出文件"),
    "upload_help": (
        "CSV, TSV, TXT or Excel, at most {mb} MB each; read as data only.",
        "CSV、TSV、TXT 或 Excel，每个文件不超过 {mb} MB；仅作为数据读取。",
    ),
    "preset": ("System (preset)", "系统（预设）"),
    "auto": ("recognise from the headers", "根据表头自动识别"),
    "encoding": ("Encoding", "编码"),
    "date_format": ("Date order", "日期顺序"),
    "detected": ("detected", "自动检测"),
    "check": ("Read and check", "读取并检查"),
    "use_this": ("Use these figures", "使用此数据"),
    "use_sample": ("Back to the sample company", "恢复示例公司数据"),
    "checked_intro": (
        "Checked, not yet used: the numbers on the other pages change only when you press "
        "“Use these figures”.",
        "已检查，尚未启用：只有点击“使用此数据”后，其他页面的数字才会改变。",
    ),
    "now_used": ("The dashboard now shows {name}.", "看板已切换到 {name}。"),
    "read_failed": ("These files could not be used: {error}", "无法使用这些文件：{error}"),
    "too_large": ("{file} is larger than {mb} MB.", "{file} 超过 {mb} MB。"),
    "bad_type": (
        "{file}: only CSV, TSV, TXT and Excel files are read.",
        "{file}：只读取 CSV、TSV、TXT 和 Excel 文件。",
    ),
    "no_folder": ("No such folder or file: {path}", "没有这个文件夹或文件：{path}"),
    "mapping": ("How each export was read", "各导出文件的读取方式"),
    "system": ("System", "系统"),
    "field": ("Field", "字段"),
    "header": ("Column in the file", "文件中的列"),
    "not_used": ("Columns not used", "未使用的列"),
    "header_row": ("Header row", "表头所在行"),
    "as_of_found": ("As of (printed in the file)", "文件中的截止日期"),
    "skipped_rows": ("Skipped rows", "跳过的行"),
    "problems_count": (
        "{errors} rows rejected, {warnings} warnings, {skipped} skipped",
        "拒绝 {errors} 行，警告 {warnings} 条，跳过 {skipped} 行",
    ),
    "no_problem": ("No problems: every row was loaded.", "没有问题：所有行均已载入。"),
    # downloads
    "download_csv": ("CSV", "CSV"),
    "download_xlsx": ("Excel", "Excel"),
    "download": ("Download", "下载"),
    "opening_date": ("Opening date", "期初日期"),
    "closing_date": ("Closing date", "期末日期"),
    "unknown": ("unknown", "未知"),
    "error_date": ("No figures at {date}: {error}", "{date}无法计算：{error}"),
}


def known(key: str) -> bool:
    """Whether `key` has words, the dashboard's own or the site's."""
    return key in WORDS or key in SITE_WORDS


def t(key: str, lang: str, **values: object) -> str:
    """The words for `key` in `lang` (en | zh): the dashboard's own, else the site's."""
    pair = WORDS.get(key) or SITE_WORDS[key]
    text = pair[1 if lang == "zh" else 0]
    return text.format(**values) if values else text
