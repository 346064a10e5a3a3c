"""The PSA taxonomy (themes and Wegwijzer factors), loaded from seed/taxonomy.yaml."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from riecycle.models.base import Base


def _language() -> str:
    from riecycle.i18n import language

    return language()


class Theme(Base):
    __tablename__ = "psa_themes"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_nl: Mapped[str | None] = mapped_column(String(1000))
    description_en: Mapped[str | None] = mapped_column(String(1000))

    def name(self, locale: str = "nl") -> str:
        return self.name_en if locale == "en" else self.name_nl

    @property
    def local_name(self) -> str:
        """The name in the user's language."""
        return self.name(_language())

    @property
    def local_description(self) -> str | None:
        return self.description_en if _language() == "en" else self.description_nl


class Factor(Base):
    __tablename__ = "psa_factors"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    group_key: Mapped[str] = mapped_column(String(40))
    # werkdrukbron (taakeisen), energiebron (regelmogelijkheden, buffers) or individueel
    kind: Mapped[str] = mapped_column(String(20))
    group_name_nl: Mapped[str] = mapped_column(String(120))
    group_name_en: Mapped[str] = mapped_column(String(120))
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    pulse_question_nl: Mapped[str | None] = mapped_column(String(400))
    pulse_question_en: Mapped[str | None] = mapped_column(String(400))
    theme_key: Mapped[str] = mapped_column(ForeignKey("psa_themes.key"), default="werkdruk")

    def name(self, locale: str = "nl") -> str:
        return self.name_en if locale == "en" else self.name_nl

    @property
    def local_name(self) -> str:
        """The name in the user's language."""
        return self.name(_language())

    @property
    def local_group_name(self) -> str:
        return self.group_name_en if _language() == "en" else self.group_name_nl
