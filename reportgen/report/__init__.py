"""The periodic credit-review site (issue 5): figures gathered once (`data`), pure page
contexts (`context`), Jinja templates rendering Markdown (`render`), and a writer that builds
the MkDocs project into static HTML, atomically (`site`)."""
