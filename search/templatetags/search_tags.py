from django import template

register = template.Library()


@register.simple_tag
def with_param(querydict, key: str, value) -> str:
    """The current query string with ``key`` set to ``value`` (and back to page 1 unless paging)."""
    updated = querydict.copy()
    updated[key] = value
    if key != "page":
        updated.pop("page", None)
    return "?" + updated.urlencode()


@register.simple_tag
def toggle_param(querydict, key: str, value: str) -> str:
    """The query string with ``value`` added to or removed from the ``key`` filter, page 1."""
    updated = querydict.copy()
    values = updated.getlist(key)
    updated.setlist(key, [v for v in values if v != value] if value in values else [*values, value])
    updated.pop("page", None)
    return "?" + updated.urlencode()


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, key)
