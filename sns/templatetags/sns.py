from django import template

from sns.text import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    """Render member-written Markdown, cleaned."""
    return render_markdown(text)
