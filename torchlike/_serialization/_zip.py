"""The zip container PyTorch's PyTorchStreamWriter/Reader use: stored (uncompressed) records,
each record's data 64-byte aligned by an 'FB' padding field in its local header."""

import struct
import zipfile
import zlib

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_U32 = 0xFFFFFFFF  # the "see the zip64 record" marker
_ZIP64_AT = _U32  # sizes and offsets from here on need zip64 (tests lower it)
_FLAGS = 0x0808  # sizes in a data descriptor after the data; UTF-8 names (as miniz writes)
_FLAGS_EMPTY = 0x0800

# records are checksummed and written (read and checked) in chunks of this size: a chunk is
# copied soon after the checksum read it, and every write() / readinto() call stays bounded
# (some file objects handle huge buffers only in part)
_CHUNK = 1 << 22


class ZipWriter:
    """Writes records to a binary stream in the layout torch.save produces."""

    def __init__(self, stream, archive_name, alignment=64, compute_crc32=True):
        self._crc32 = compute_crc32
        self._f = stream
        self._prefix = archive_name + "/"
        self._alignment = alignment
        self._pos = stream.tell() if stream.seekable() else 0
        self._start = self._pos
        self._entries = []  # (name bytes, crc, size, header offset)

    def _write(self, b):
        self._f.write(b)
        self._pos += len(b)

    def write_record(self, name, data):
        """Write one record; `data` is bytes or a C-contiguous buffer."""
        mv = memoryview(data).cast("B")
        bname = (self._prefix + name).encode("utf-8")
        offset = self._pos - self._start
        # 'FB' extra field padding so the data starts on an alignment boundary, as miniz does
        head = offset + _LOCAL.size + len(bname) + 4
        pad = (-head) % self._alignment
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        n = len(mv)
        flags = _FLAGS if n else _FLAGS_EMPTY
        self._write(
            _LOCAL.pack(b"PK\x03\x04", 0, flags, 0, 0, 0, 0, 0, 0, len(bname), len(extra))
            + bname
            + extra
        )
        # checksummed inline, chunk by chunk, as torch's writer does: a worker thread
        # checksumming while this one wrote measured slower (1.7x torch's save against 1.05x)
        # on a busy machine, where both threads compete for the same cores
        crc = 0
        write, crc32 = self._f.write, zlib.crc32 if self._crc32 else None
        for i in range(0, n, _CHUNK):
            chunk = mv[i : i + _CHUNK]
            if crc32 is not None:
                crc = crc32(chunk, crc)
            write(chunk)
        self._pos += n
        if not n:
            pass  # miniz writes no data descriptor for an empty record
        elif n >= _ZIP64_AT or offset >= _ZIP64_AT:
            self._write(struct.pack("<4sLQQ", b"PK\x07\x08", crc, n, n))
        else:
            self._write(struct.pack("<4s3L", b"PK\x07\x08", crc, n, n))
        self._entries.append((bname, crc, n, offset))

    def write_end_of_file(self):
        """The central directory and end-of-central-directory records (zip64 where needed)."""
        cd_start = self._pos - self._start
        for bname, crc, n, offset in self._entries:
            z64 = b""
            size32, off32 = n, offset
            if n >= _ZIP64_AT:
                z64 += struct.pack("<QQ", n, n)
                size32 = _U32
            if offset >= _ZIP64_AT:
                z64 += struct.pack("<Q", offset)
                off32 = _U32
            extra = struct.pack("<HH", 1, len(z64)) + z64 if z64 else b""
            self._write(
                _CENTRAL.pack(
                    b"PK\x01\x02",
                    0,
                    0,
                    _FLAGS if n else _FLAGS_EMPTY,
                    0,
                    0,
                    0,
                    crc,
                    size32,
                    size32,
                    len(bname),
                    len(extra),
                    0,
                    0,
                    0,
                    0,
                    off32,
                )
                + bname
                + extra
            )
        cd_size = self._pos - self._start - cd_start
        count = len(self._entries)
        zip64 = count >= 0xFFFF or cd_start >= _ZIP64_AT or cd_size >= _ZIP64_AT
        if zip64:
            z64_pos = self._pos - self._start
            self._write(
                struct.pack(
                    "<4sQ2H2L4Q",
                    b"PK\x06\x06",
                    44,
                    0x031E,
                    0x2D,
                    0,
                    0,
                    count,
                    count,
                    cd_size,
                    cd_start,
                )
            )
            self._write(struct.pack("<4sLQL", b"PK\x06\x07", 0, z64_pos, 1))
        self._write(
            struct.pack(
                "<4s4H2LH",
                b"PK\x05\x06",
                0,
                0,
                min(count, 0xFFFF),
                min(count, 0xFFFF),
                _U32 if zip64 else cd_size,
                _U32 if zip64 else cd_start,
                0,
            )
        )
        self._f.flush()


class ZipReader:
    """Reads a torch.save archive: record names without the archive folder, data offsets."""

    def __init__(self, stream):
        self._f = stream
        try:
            self._zip = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
            raise RuntimeError(
                "PytorchStreamReader failed reading zip archive: failed finding "
                f"central directory ({e})"
            ) from None
        names = self._zip.namelist()
        if not names:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: archive is empty")
        # every record lives under one folder, the archive name; find it from the pickle record
        pkl = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        first = pkl[0] if pkl else names[0]
        if "/" not in first:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
        self.archive_name = first.split("/", 1)[0]
        self._prefix = self.archive_name + "/"
        self._infos = {
            n[len(self._prefix) :]: i
            for n, i in ((i.filename, i) for i in self._zip.infolist())
            if n.startswith(self._prefix)
        }

    def has_record(self, name):
        return name in self._infos

    def get_all_records(self):
        return list(self._infos)

    def _info(self, name):
        info = self._infos.get(name)
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        return info

    def get_record_offset(self, name):
        """Absolute offset of a stored record's data in the file (for mmap and direct reads)."""
        info = self._info(name)
        if info.compress_type != zipfile.ZIP_STORED:
            return None
        self._f.seek(info.header_offset)
        head = self._f.read(_LOCAL.size)
        if len(head) != _LOCAL.size or head[:4] != b"PK\x03\x04":
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: invalid header "
                "or archive is corrupted"
            )
        nlen, elen = _LOCAL.unpack(head)[-2:]
        return info.header_offset + _LOCAL.size + nlen + elen

    def crc(self, name):
        return self._info(name).CRC

    def record_size(self, name):
        return self._info(name).file_size

    def get_record(self, name):
        """A record's bytes, CRC-checked (unless written without CRCs)."""
        info = self._info(name)
        if info.CRC == 0 and info.file_size and info.compress_type == zipfile.ZIP_STORED:
            out = bytearray(info.file_size)
            self.read_into(name, out)
            return bytes(out)
        try:
            return self._zip.read(info)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: {e}") from None

    def read_into(self, name, out, verify=True):
        """Read a record into the writable buffer `out` (one copy), checking its size and, with
        `verify`, its CRC."""
        info = self._info(name)
        mv = memoryview(out).cast("B")
        if info.file_size != len(mv):
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: expected "
                f"{len(mv)} bytes, the archive holds {info.file_size}"
            )
        offset = self.get_record_offset(name)
        if offset is None:
            mv[:] = self.get_record(name)
            return
        self._f.seek(offset)
        check = verify and info.CRC != 0  # 0: written without CRCs
        readinto = getattr(self._f, "readinto", None)
        crc, got, n = 0, 0, len(mv)
        while got < n:  # one read() may return less (e.g. above 2 GiB on Linux)
            chunk = mv[got : min(n, got + _CHUNK)]
            if readinto is not None:
                r = readinto(chunk)
            else:
                data = self._f.read(len(chunk))
                r = len(data)
                chunk[:r] = data
            if not r:
                break
            if check:
                crc = zlib.crc32(chunk[:r], crc)
            got += r
        if got != n:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: file read "
                "failed (the file is truncated)"
            )
        if check and crc != info.CRC:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: CRC-32 check "
                "failed (the file is corrupted)"
            )
