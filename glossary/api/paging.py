"""One page of a list, as every list call answers it: the count, the page, links to its neighbours."""

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404


def page_of(request, items, number: int, size: int, item_data) -> dict:
    """Page `number` of `items`, each turned into JSON data by `item_data(list_of_items)`.

    A page past the end is a 404 that says how many pages there are: a script looping over pages
    learns where to stop, and a typo is not mistaken for an empty glossary.
    """
    paginator = Paginator(items, size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        raise Http404(f"There is no page {number}; there are {paginator.num_pages}.") from None
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "next": _address(request, page.next_page_number()) if page.has_next() else None,
        "previous": _address(request, page.previous_page_number()) if page.has_previous() else None,
        "results": item_data(list(page.object_list)),
    }


def _address(request, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
