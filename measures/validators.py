"""Early migrations name `measures.validators.reject_personnummer`; the rules
themselves live in agreement.validators, beside every model that takes text."""

from agreement.validators import reject_personnummer

__all__ = ["reject_personnummer"]
