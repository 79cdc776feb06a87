def page_number(value) -> int:
    """A page number from the address, as Paginator.get_page would read it; also part of cache keys."""
    try:
        return min(max(int(value), 1), 10**6)
    except (TypeError, ValueError):
        return 1
