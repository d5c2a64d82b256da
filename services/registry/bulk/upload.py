"""Taking an uploaded file from a request (multipart field `file` or the raw body) and naming its format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from fastapi import Request
from starlette.datastructures import UploadFile

from services.registry.bulk.schemas import FileFormat
from shared.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {".csv": FileFormat.csv, ".xlsx": FileFormat.xlsx, ".json": FileFormat.json}
MEDIA_TYPES = {
    "text/csv": FileFormat.csv, "application/csv": FileFormat.csv,
    "text/comma-separated-values": FileFormat.csv, "application/json": FileFormat.json,
    "text/json": FileFormat.json, XLSX_MEDIA: FileFormat.xlsx,
}
# Multipart boundaries and part headers around the file itself.
MULTIPART_SLACK = 64 * 1024
ACCEPTED = [f.value for f in FileFormat]


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str | None
    content_type: str | None


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"文件超过单次导入上限 {max_bytes} 字节（约 {max_bytes / 1048576:.0f} MB，max_import_bytes），"
        "请拆分后分批导入", limit_name="max_import_bytes", limit=max_bytes)


async def read_upload(request: Request, max_bytes: int) -> Upload:
    """Read the file of an import request, refusing it (413) past `max_bytes`."""
    media = request.headers.get("content-type", "")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + MULTIPART_SLACK:
        raise _too_large(max_bytes)
    if media.startswith("multipart/form-data"):
        async with request.form(max_files=1, max_part_size=max_bytes) as form:
            part = form.get("file")
            if isinstance(part, UploadFile):
                upload = Upload(await part.read(max_bytes + 1), part.filename, part.content_type)
            elif isinstance(part, str):  # a form field sent without a file name
                upload = Upload(part.encode(), None, None)
            else:
                raise ValidationFailed("multipart 表单中缺少文件字段 file", errors=[
                    {"field": "file", "value": None, "message": "缺少必填项"}])
    else:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(max_bytes)
            chunks.append(chunk)
        upload = Upload(b"".join(chunks), None, media or None)
    if len(upload.data) > max_bytes:
        raise _too_large(max_bytes)
    if not upload.data:
        raise ValidationFailed("请求中没有文件内容：请以 multipart 字段 file 或请求体上传文件")
    return upload


def detect_format(requested: str | None, upload: Upload) -> FileFormat:
    """The file's format: ?format= first, then the file name's extension, then its Content-Type."""
    if requested:
        try:
            return FileFormat(requested.strip().lower())
        except ValueError:
            raise UnsupportedMediaType(f"不支持的格式 format={requested!r}：可为 csv、xlsx、json",
                                       accepted=ACCEPTED) from None
    suffix = PurePath(upload.filename).suffix.lower() if upload.filename else ""
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    media = (upload.content_type or "").split(";", 1)[0].strip().lower()
    if media in MEDIA_TYPES:
        return MEDIA_TYPES[media]
    if suffix == ".xls" or media == "application/vnd.ms-excel":
        raise UnsupportedMediaType("不支持 Excel 97-2003（.xls）格式：请在 Excel 中另存为 .xlsx 或 CSV",
                                   accepted=ACCEPTED)
    seen = "，".join(x for x in (f"文件名 {upload.filename}" if upload.filename else "",
                                 f"Content-Type {media}" if media else "") if x) or "未提供文件名和类型"
    raise UnsupportedMediaType(f"无法判断文件格式（{seen}）：请上传 .csv、.xlsx 或 .json 文件，"
                               "或以 ?format= 指明", accepted=ACCEPTED)
