"""Quy chế: a regulation; its body is its full text (versioned on each submission, see
workflow.items.regulation), in force from its effective date once approved."""

from workflow.items.kinds.fields import IsoDate, Kind, KindData, day


class RegulationData(KindData):
    effective_date: IsoDate = day("Ngày có hiệu lực")


KIND = Kind("regulation", "Quy chế", RegulationData, body="thiếu toàn văn quy chế")
