"""Văn bản: a document; its body is its content, it has no fields of its own."""

from workflow.items.kinds.fields import Kind, KindData


class DocumentData(KindData):
    pass


KIND = Kind("document", "Văn bản", DocumentData, body="thiếu nội dung")
