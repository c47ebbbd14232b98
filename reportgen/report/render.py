"""Markdown pages from Jinja templates; every value from the data is escaped on its way out.

Escaping is not left to each template: the environment's `finalize` turns every `{{ value }}`
into inert text for Markdown *and* HTML (`md_text`) unless the value is `Markup` — words of our
own (`t`), formatted numbers and dates (`L`), links and charts we build. So a customer named
`<script>alert(1)</script>` or `[x](javascript:alert(1))` is shown as those characters and
never becomes a tag, a link or an attribute.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from reportgen.periods import Period
from reportgen.report import context as ctx
from reportgen.report.data import SiteData
from reportgen.report.lang import WORDS, Lang

# characters Python-Markdown or its extensions act on: each becomes a numeric character
# reference, which Markdown leaves alone and the browser shows as the character itself
_MARKDOWN_ACTIVE = {c: f"&#{ord(c)};" for c in "\\`*_{}[]#!|~"}
# ... and HTML's own, in the same single pass: escaping HTML first and Markdown after would
# turn the `#` of `&#x27;` into `&#35;`, and a page would show "customer&#x27;s"
_INERT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", **_MARKDOWN_ACTIVE}
_LIST_MARKER = re.compile(r"([-+]|\d+[.)])(\s|$)")  # would start a list at a line's start


def md_text(value: Any) -> str:
    """Any value as inert text inside a Markdown paragraph, heading, list item or table cell:
    HTML-escaped, Markdown syntax neutralised, on one line."""
    if value is None:
        return ""
    text = " ".join(str(value).split())  # newlines would end a table row or a paragraph
    text = "".join(_INERT.get(c, c) for c in text)
    if _LIST_MARKER.match(text):
        text = f"&#{ord(text[0])};{text[1:]}"
    return text


def html_text(value: Any) -> str:
    """Text for a place that is HTML but not Markdown (a page's title)."""
    return html.escape(" ".join(str(value).split()), quote=True)


def chart_html(spec: dict) -> Markup:
    """A chart as the site's script finds it: the Plotly spec as JSON inside its container.
    `<`, `>` and `&` are written as JSON escapes, so no text can close the script element."""
    payload = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        payload = payload.replace(char, escaped)
    payload = payload.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(f'<div class="rg-chart"><script type="application/json">{payload}</script></div>')


class _Formatted:
    """`Lang` for templates: its numbers, dates and words are our own text, marked safe."""

    def __init__(self, lang: Lang):
        self._lang = lang

    def __getattr__(self, name: str):
        attribute = getattr(self._lang, name)
        if not callable(attribute):
            return attribute
        return lambda *args, **kwargs: Markup(attribute(*args, **kwargs))


def _escaped(value: Any) -> Any:
    return value if isinstance(value, Markup) else Markup(md_text(value))


def environment(lang: Lang) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reportgen.report", "templates"),
        # `finalize` escapes every value for Markdown and HTML first (autoescape then finds
        # it marked safe); autoescape also keeps macro output from being escaped twice
        autoescape=True,
        finalize=_escaped,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def t(key: str, **values: Any) -> Markup:
        return Markup(lang.t(key, **{k: _escaped(v) for k, v in values.items()}))

    @jinja2.pass_context
    def link(context: jinja2.runtime.Context, text: Any, target: str | None) -> Markup:
        """`[text](target)` relative to the page being rendered; plain text without one."""
        if not target:
            return _escaped(text)
        return Markup(f"[{_escaped(text)}]({relative(context['page_path'], target)})")

    @jinja2.pass_context
    def rel(context: jinja2.runtime.Context, target: str) -> Markup:
        return Markup(relative(context["page_path"], target))

    env.globals.update(
        L=_Formatted(lang), t=t, link=link, rel=rel, chart=chart_html, lang=lang.code, words=WORDS
    )
    env.filters["html_text"] = html_text
    env.filters["json"] = lambda v: Markup(json.dumps(v, ensure_ascii=False))
    return env


def relative(page: str, target: str) -> str:
    """The link from one docs-relative page to another (`reviews/2025-12.md` ->
    `../customers/C0001.md`); MkDocs turns `.md` links into the built pages' addresses."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


@dataclass(frozen=True)
class Page:
    path: str  # relative to the docs folder
    title: str  # plain text; escaped where it is written
    markdown: str


class Renderer:
    """Renders the pages of one language from one `SiteData`."""

    def __init__(self, data: SiteData, lang: Lang):
        self.data, self.lang = data, lang
        self.env = environment(lang)

    def page(self, template: str, path: str, title: str, **values: Any) -> Page:
        text = self.env.get_template(template).render(
            page_path=path, title=title, data_name=self.data.data_name, **self._common(), **values
        )
        return Page(path, title, text)

    def _common(self) -> dict:
        return {
            "as_of": self.data.as_of,
            "fingerprint": self.data.fingerprint,
            "currency": self.lang.money_unit(),
            "every": self.data.every,
        }

    # one method per kind of page

    def home(self) -> Page:
        c = ctx.home_context(self.data, self.lang)
        return self.page("home.md.j2", "index.md", self.lang.t("home"), c=c)

    def reviews_index(self) -> Page:
        rows = ctx.review_rows(self.data)
        return self.page("reviews.md.j2", "reviews/index.md", self.lang.t("reviews"), rows=rows)

    def review(self, period: Period) -> Page:
        c = ctx.review_context(self.data, period, self.lang)
        title = self.lang.t("review_title", period=self.lang.period(period.label))
        return self.page("review.md.j2", ctx.review_path(period.label), title, c=c)

    def customers_index(self) -> Page:
        c = ctx.customers_index_context(self.data)
        return self.page("customers.md.j2", "customers/index.md", self.lang.t("customers"), c=c)

    def customer(self, customer_id: str, slug: str) -> Page:
        c = ctx.customer_context(self.data, customer_id, self.lang)
        return self.page("customer.md.j2", ctx.customer_path(slug), c["name"], c=c)

    def methodology(self) -> Page:
        c = ctx.methodology_context(self.data)
        return self.page("methodology.md.j2", "methodology.md", self.lang.t("methodology"), c=c)

    def quality(self) -> Page:
        c = ctx.quality_context(self.data)
        return self.page("quality.md.j2", "data-quality.md", self.lang.t("data_quality"), c=c)

    def all(self) -> list[Page]:
        """Every page, in the order of the navigation."""
        return [
            self.home(),
            self.reviews_index(),
            *[self.review(p) for p in reversed(self.data.reviews)],
            self.customers_index(),
            *[
                self.customer(cid, slug)
                for cid, slug in self.data.key_accounts.select("customer_id", "slug").iter_rows()
            ],
            self.methodology(),
            self.quality(),
        ]


def navigation(pages: list[Page], lang: Lang) -> list:
    """The MkDocs `nav`, written from the same list of pages, so the two cannot drift. Pages
    are listed by path only: their titles come from their own front matter, escaped there."""
    sections = {"reviews/": lang.t("reviews"), "customers/": lang.t("customers")}
    nav: list = []
    opened: dict[str, list] = {}
    for page in pages:
        folder = next((f for f in sections if page.path.startswith(f)), None)
        if folder is None:
            nav.append(page.path)
            continue
        if folder not in opened:
            opened[folder] = []
            nav.append({sections[folder]: opened[folder]})
        opened[folder].append(page.path)
    return nav
