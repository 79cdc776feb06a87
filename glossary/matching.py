"""Aligning two lists of tokens within a budget of work, for glossary.diffs.

`blocks(a, b, budget)` covers both lists with equal and changed blocks, or gives up (None) when
that would cost more than the budget; the caller then tries something coarser. The work is
counted in steps of about 0.2 µs on the development machine: one pair of matching tokens visited
by SequenceMatcher's longest-match search.
"""

import difflib
from bisect import bisect_left
from collections import Counter
from itertools import repeat

# What else costs SequenceMatcher a step: each token of a searched range, and each search.
MATCHER_ITEM, MATCHER_CALL = 2, 5
# One Myers step: one diagonal in one round.
MYERS_STEP = 6

Block = tuple[bool, int, int, int, int]  # equal?, a[i1:i2], b[j1:j2]
Counts = tuple[Counter, Counter]  # how often each token is in a, and in b


class OverBudget(Exception):
    pass


class Budget:
    """Steps of work left; a part of it is a budget of its own whose spending also counts here."""

    def __init__(self, steps: int, parent: "Budget | None" = None):
        self.left = steps
        self.parent = parent

    def spend(self, steps: int) -> None:
        if steps > self.left:
            raise OverBudget
        if self.parent:
            self.parent.spend(steps)
        self.left -= steps

    def part(self, fraction: float) -> "Budget":
        return Budget(int(self.left * fraction), parent=self)


def blocks(a: list, b: list, budget: Budget) -> list[Block] | None:
    """Equal and changed blocks that cover a and b in order, or None if they cost more than the budget.

    The common start and end are free. So is splitting the middle at the longest chain of tokens
    found once in each list (patience diff's anchors): in prose, sentences and lines most tokens
    are, which leaves small gaps. Each gap goes to SequenceMatcher, whose longest matches read
    best, with half the budget left at most; if it is over, to Myers' algorithm, whose cost grows
    with the number of edits rather than with repetition, with what is left.
    """
    return _around_common_ends(a, b, lambda a, b: _anchored(a, b, budget))


def _around_common_ends(a: list, b: list, align) -> list[Block] | None:
    """The common start and end of a and b as equal blocks, and `align`'s blocks for the rest."""
    start = run_length(a, 0, b, 0, min(len(a), len(b)))
    end = run_length(a[::-1], 0, b[::-1], 0, min(len(a), len(b)) - start)
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    if not middle_a or not middle_b:
        middle = [(False, 0, len(middle_a), 0, len(middle_b))]
    else:
        middle = align(middle_a, middle_b)
        if middle is None:
            return None
    ends = [(True, 0, start, 0, start)], [(True, len(a) - end, len(a), len(b) - end, len(b))]
    return _joined(ends[0] + _shifted(middle, start, start) + ends[1])


def _joined(found: list[Block]) -> list[Block]:
    """Without empty blocks, and neighbours of a kind as one: one change is one <del> and one <ins>."""
    joined = []
    for block in found:
        if block[1] == block[2] and block[3] == block[4]:
            continue
        if joined and joined[-1][0] == block[0]:
            joined[-1] = (block[0], joined[-1][1], block[2], joined[-1][3], block[4])
        else:
            joined.append(block)
    return joined


def _shifted(found: list[Block], i: int, j: int) -> list[Block]:
    return [(equal, i1 + i, i2 + i, j1 + j, j2 + j) for equal, i1, i2, j1, j2 in found]


def _anchored(a: list, b: list, budget: Budget) -> list[Block] | None:
    found, i, j = [], 0, 0
    for anchor_i, anchor_j in [*_unique_anchors(a, b), (len(a), len(b))]:
        gap = _around_common_ends(a[i:anchor_i], b[j:anchor_j], lambda a, b: _aligned(a, b, budget))
        if gap is None:
            return None
        found += [*_shifted(gap, i, j), (True, anchor_i, anchor_i + 1, anchor_j, anchor_j + 1)]
        i, j = anchor_i + 1, anchor_j + 1
    return found[:-1]  # the last anchor is the end of both lists


def _unique_anchors(a: list, b: list) -> list[tuple[int, int]]:
    """Positions (i, j) of tokens found once in a and once in b: the longest chain increasing in both."""
    in_a, in_b = Counter(a), Counter(b)
    unique_in_b = {token: j for j, token in enumerate(b) if in_b[token] == 1 and in_a[token] == 1}
    pairs = [(i, unique_in_b[token]) for i, token in enumerate(a) if token in unique_in_b]
    # Patience sorting: tails[k] is the smallest j ending a chain of k + 1 pairs so far.
    tails, tail_pair, previous = [], [], []
    for index, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        previous.append(tail_pair[k - 1] if k else None)
        if k == len(tails):
            tails.append(j)
            tail_pair.append(index)
        else:
            tails[k], tail_pair[k] = j, index
    chain, index = [], tail_pair[-1] if tail_pair else None
    while index is not None:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _aligned(a: list, b: list, budget: Budget) -> list[Block] | None:
    counts = Counter(a), Counter(b)
    found = matcher_blocks(a, b, budget.part(0.5), counts)
    return found if found is not None else myers_blocks(a, b, budget, counts)


def run_length(a, i: int, b, j: int, limit: int) -> int:
    """How many items match from a[i] and b[j] on, at most `limit`.

    Galloping then halving, so a long run costs a few list comparisons in C rather than one Python
    step per token: trimming, and Myers' runs along a diagonal, stay cheap on long equal stretches.
    """
    n, step = 0, 1
    while step <= limit - n and a[i + n : i + n + step] == b[j + n : j + n + step]:
        n += step
        step *= 2
    step //= 2
    while step:
        if step <= limit - n and a[i + n : i + n + step] == b[j + n : j + n + step]:
            n += step
        step //= 2
    return n


class _BoundedMatcher(difflib.SequenceMatcher):
    """SequenceMatcher that gives up (raises OverBudget) before a search would exceed its budget."""

    def __init__(self, a, b, budget: Budget):
        self.budget = budget
        super().__init__(None, a, b, autojunk=False)

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        # The search visits every a[i] in the range and, for each, its positions in b up to bhi
        # (those before blo are skipped one by one, so they count too).
        positions = map(self.b2j.get, self.a[alo:ahi], repeat(()))
        pairs = sum(map(bisect_left, positions, repeat(bhi)))
        self.budget.spend(MATCHER_CALL + MATCHER_ITEM * (ahi - alo) + pairs)
        return super().find_longest_match(alo, ahi, blo, bhi)


def matcher_blocks(a: list, b: list, budget: Budget, counts: Counts | None = None) -> list[Block] | None:
    """SequenceMatcher's blocks (without autojunk), or None if it needs more than the budget."""
    # The first search alone visits every matching pair: when those are too many, do not even start.
    in_a, in_b = counts or (Counter(a), Counter(b))
    pairs = sum(in_a[t] * in_b[t] for t in in_a.keys() & in_b.keys())
    if MATCHER_CALL + MATCHER_ITEM * len(a) + pairs > budget.left:
        return None
    try:
        opcodes = _BoundedMatcher(a, b, budget).get_opcodes()
    except OverBudget:
        return None
    return [(op == "equal", i1, i2, j1, j2) for op, i1, i2, j1, j2 in opcodes]


def myers_blocks(a: list, b: list, budget: Budget, counts: Counts | None = None) -> list[Block] | None:
    """The smallest diff by Myers' greedy algorithm, or None if it needs more than the budget.

    Round d finds, on each diagonal k = x - y, the furthest point (x, y) that d edits reach; the
    first round to reach (n, m) is a smallest diff, walked back through the rounds' points. Its cost
    is about d² / 2 steps, so the budget bounds the number of edits it can find.
    """
    n, m = len(a), len(b)
    # Every token one side has more of than the other is an edit: a lower bound on the edits.
    in_a, in_b = counts or (Counter(a), Counter(b))
    common = in_a & in_b
    least_edits = n + m - 2 * sum(common.values())
    if least_edits * least_edits // 2 * MYERS_STEP > budget.left:
        return None
    offset = m + 1
    furthest = [None] * (n + m + 3)  # furthest[k + offset]: x reached on diagonal k (None: not reached)
    rounds = []  # per round: its lowest diagonal and the x reached on every other diagonal from there
    try:
        for d in range(n + m + 1):
            # Only the diagonals that cross the grid, of the round's parity.
            low, high = max(-d, -m + (d + m) % 2), min(d, n - (d + n) % 2)
            budget.spend(((high - low) // 2 + 1) * MYERS_STEP)
            for k in range(low, high + 1, 2):
                if d == 0:
                    x = 0
                else:
                    x = _myers_edit(a, b, furthest[k + 1 + offset], furthest[k - 1 + offset], k)[0]
                    if x is None:
                        furthest[k + offset] = None
                        continue
                y = x - k
                if x < n and y < m and a[x] == b[y]:
                    x += run_length(a, x, b, y, min(n - x, m - y))
                furthest[k + offset] = x
                if x == n and x - k == m:
                    rounds.append((low, furthest[low + offset : k + offset + 1 : 2]))
                    return _myers_path(rounds, a, b)
            rounds.append((low, furthest[low + offset : high + offset + 1 : 2]))
    except OverBudget:
        return None
    return None  # not reached: round n + m always reaches the corner


def _myers_edit(a: list, b: list, down: int | None, right: int | None, k: int) -> tuple[int | None, int]:
    """Where an edit onto diagonal k lands (its x, None if outside the grid) and the diagonal it comes from.

    `down` and `right` are the previous round's furthest x on diagonals k + 1 and k - 1: moving down
    from k + 1 inserts b[y], moving right from k - 1 deletes a[x]. Myers takes the one that lands
    further. But when the equal run after the other one reaches as far, the earlier edit is taken:
    in a repeated word, a changed word then shows as itself replaced, not as an insertion there and
    a deletion far away.
    """
    n, m = len(a), len(b)
    if down is not None and down - k > m:
        down = None
    if right is not None:
        right = right + 1 if right < n else None
    if right is None or down is None:
        return (down, k + 1) if right is None else (right, k - 1)
    if down >= right:
        return (right, k - 1) if a[right:down] == b[right - k : down - k] else (down, k + 1)
    return (down, k + 1) if a[down:right] == b[down - k : right - k] else (right, k - 1)


def _myers_path(rounds: list[tuple[int, list]], a: list, b: list) -> list[Block]:
    """Walk back from (n, m): each round is one edit, then a run of equal tokens."""

    def reached(d: int, k: int) -> int | None:
        low, xs = rounds[d]
        index = (k - low) // 2
        return xs[index] if 0 <= index < len(xs) else None

    steps = []  # (equal?, a-length, b-length), last first
    x, y = len(a), len(b)
    for d in range(len(rounds) - 1, 0, -1):
        k = x - y
        start, came_from = _myers_edit(a, b, reached(d - 1, k + 1), reached(d - 1, k - 1), k)
        steps.append((True, x - start, x - start))
        if came_from == k - 1:
            steps.append((False, 1, 0))
            x, y = start - 1, start - k
        else:
            steps.append((False, 0, 1))
            x, y = start, start - k - 1
    steps.append((True, x, y))  # round 0: equal from the start
    found, i, j = [], 0, 0
    for equal, length_a, length_b in reversed(steps):
        found.append((equal, i, i + length_a, j, j + length_b))
        i, j = i + length_a, j + length_b
    return _paired(_joined(found), a, b)


def _paired(found: list[Block], a: list, b: list) -> list[Block]:
    """Move what a change deletes (or inserts) beyond what it replaces on to a neighbouring change,
    where the equal run between them repeats itself so that the move keeps it equal.

    A smallest diff of a repeated word with scattered edits can delete three words at one edit and
    insert one at each of the three; moved, each edit shows as a word replaced.
    """
    found = list(found)
    for index in range(len(found) - 2):  # forwards: the excess at the end of a change moves right
        change, run, after = found[index : index + 3]
        if change[0] or not run[0] or after[0]:
            continue
        _, i1, i2, j1, j2 = change
        extra, length = (i2 - i1) - (j2 - j1), run[2] - run[1]
        if extra > 0 and run_length(a, i2 - extra, a, i2, length) == length:
            found[index : index + 3] = [
                (False, i1, i2 - extra, j1, j2),
                (True, run[1] - extra, run[2] - extra, run[3], run[4]),
                (False, after[1] - extra, after[2], after[3], after[4]),
            ]
        elif extra < 0 and run_length(b, j2 + extra, b, j2, length) == length:
            found[index : index + 3] = [
                (False, i1, i2, j1, j2 + extra),
                (True, run[1], run[2], run[3] + extra, run[4] + extra),
                (False, after[1], after[2], after[3] + extra, after[4]),
            ]
    for index in range(len(found) - 1, 1, -1):  # backwards: the excess at the start of a change moves left
        before, run, change = found[index - 2 : index + 1]
        if change[0] or not run[0] or before[0]:
            continue
        _, i1, i2, j1, j2 = change
        extra, length = (i2 - i1) - (j2 - j1), run[2] - run[1]
        if extra > 0 and run_length(a, run[1], a, run[1] + extra, length) == length:
            found[index - 2 : index + 1] = [
                (False, before[1], before[2] + extra, before[3], before[4]),
                (True, run[1] + extra, run[2] + extra, run[3], run[4]),
                (False, i1 + extra, i2, j1, j2),
            ]
        elif extra < 0 and run_length(b, run[3], b, run[3] - extra, length) == length:
            found[index - 2 : index + 1] = [
                (False, before[1], before[2], before[3], before[4] - extra),
                (True, run[1], run[2], run[3] - extra, run[4] - extra),
                (False, i1, i2, j1 - extra, j2),
            ]
    return _joined(found)
