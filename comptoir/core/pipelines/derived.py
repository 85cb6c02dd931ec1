"""Values a deal derives from its stage (HubSpot's read-only stage properties)."""

from comptoir.core.properties.coercion import parse_number


def stage_values(stage, amount) -> dict:
    """Properties HubSpot derives from a deal's stage (and amount)."""
    probability = parse_number(stage.probability)
    projected = (
        None if amount is None else parse_number(round(float(amount) * float(probability), 2))
    )
    return {
        "hs_deal_stage_probability": probability,
        "hs_is_closed": stage.is_closed,
        "hs_is_closed_won": stage.is_won,
        "hs_projected_amount": projected,
    }
