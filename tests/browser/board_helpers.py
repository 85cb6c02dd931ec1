"""Shared by the deals board browser tests: a stage's column, and a card dragged to one."""


def column(page, stage):
    return page.get_by_role("region", name=stage, exact=True)


def drag_to_column(page, card, stage) -> None:
    """Carry `card` to the list of the column `stage` with small mouse steps (SortableJS)."""
    target = column(page, stage).get_by_role("list")
    card_box, target_box = card.bounding_box(), target.bounding_box()
    page.mouse.move(card_box["x"] + 20, card_box["y"] + 10)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(
            card_box["x"] + 20 + (target_box["x"] - card_box["x"]) * step / 10,
            card_box["y"] + 10 + (target_box["y"] + 20 - card_box["y"]) * step / 10,
        )
    page.mouse.up()
