"""Reads TensorFlow 1 checkpoints (tensor bundles) with nothing but the standard library and numpy.

A checkpoint with prefix P is two files:

* ``P.index``: a LevelDB-style sorted table. Its keys are tensor names; the value under the empty key
  is a ``BundleHeaderProto`` and every other value is a ``BundleEntryProto`` saying where the
  tensor's bytes are (shard, offset, size), its dtype, shape and the masked CRC-32C of its bytes.
* ``P.data-SSSSS-of-NNNNN``: the shards, raw tensor bytes back to back.

Only the protobuf fields needed here are decoded, by hand. Fixed-width numeric dtypes are read;
string tensors and partitioned (sliced) variables are refused.

    from tf_checkpoint import read_checkpoint
    tensors = read_checkpoint("model.ckpt")          # {name: numpy.ndarray}
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field

import numpy as np

__all__ = ["CheckpointError", "Entry", "list_entries", "read_checkpoint", "crc32c"]


class CheckpointError(Exception):
    """The files are not a checkpoint this reader understands, or they are damaged."""


# --- Protobuf wire format --------------------------------------------------------------------------

def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise CheckpointError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise CheckpointError("varint longer than 64 bits")


def _fields(buf: bytes):
    """Yields (field number, wire type, value) for each field of a serialised message.

    Varints come back as ints, length-delimited fields as bytes, fixed32/fixed64 as unsigned ints.
    """
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            if pos + 8 > len(buf):
                raise CheckpointError("truncated fixed64 field")
            (value,) = struct.unpack_from("<Q", buf, pos)
            pos += 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            if pos + length > len(buf):
                raise CheckpointError("truncated length-delimited field")
            value = bytes(buf[pos:pos + length])
            pos += length
        elif wire == 5:
            if pos + 4 > len(buf):
                raise CheckpointError("truncated fixed32 field")
            (value,) = struct.unpack_from("<I", buf, pos)
            pos += 4
        else:
            raise CheckpointError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


# --- CRC-32C (Castagnoli), as LevelDB and TensorFlow use it ----------------------------------------

def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()
_MASK_DELTA = 0xA282EAD8


def crc32c(data: bytes, crc: int = 0) -> int:
    table = _CRC_TABLE
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _unmask(masked: int) -> int:
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


# --- Snappy (LevelDB blocks may be compressed with it; TensorFlow writes bundles uncompressed) -----

def _snappy_decompress(buf: bytes) -> bytes:
    length, pos = _varint(buf, 0)
    out = bytearray()
    while pos < len(buf):
        tag = buf[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:  # literal
            n = tag >> 2
            if n >= 60:
                extra = n - 59
                n = int.from_bytes(buf[pos:pos + extra], "little")
                pos += extra
            n += 1
            out += buf[pos:pos + n]
            pos += n
            continue
        if kind == 1:
            n = ((tag >> 2) & 7) + 4
            offset = ((tag >> 5) << 8) | buf[pos]
            pos += 1
        elif kind == 2:
            n = (tag >> 2) + 1
            offset = int.from_bytes(buf[pos:pos + 2], "little")
            pos += 2
        else:
            n = (tag >> 2) + 1
            offset = int.from_bytes(buf[pos:pos + 4], "little")
            pos += 4
        if offset == 0 or offset > len(out):
            raise CheckpointError("corrupt snappy block")
        start = len(out) - offset
        for i in range(n):  # copies may overlap their own output
            out.append(out[start + i])
    if len(out) != length:
        raise CheckpointError("corrupt snappy block (length mismatch)")
    return bytes(out)


# --- The sorted table (.index) ---------------------------------------------------------------------

_TABLE_MAGIC = 0xDB4775248B80FB57
_FOOTER_LENGTH = 48
_BLOCK_TRAILER_LENGTH = 5


def _block_handle(buf: bytes, pos: int = 0) -> tuple[int, int, int]:
    offset, pos = _varint(buf, pos)
    size, pos = _varint(buf, pos)
    return offset, size, pos


def _read_block(table: bytes, offset: int, size: int, verify: bool) -> bytes:
    end = offset + size
    if end + _BLOCK_TRAILER_LENGTH > len(table):
        raise CheckpointError("index block runs past the end of the file")
    contents = table[offset:end]
    kind = table[end]
    if verify:
        (stored,) = struct.unpack_from("<I", table, end + 1)
        if _unmask(stored) != crc32c(table[offset:end + 1]):
            raise CheckpointError(f"index block at {offset}: checksum mismatch")
    if kind == 0:
        return contents
    if kind == 1:
        return _snappy_decompress(contents)
    raise CheckpointError(f"index block at {offset}: unknown compression type {kind}")


def _block_entries(block: bytes):
    """Yields (key, value) pairs of one block, undoing the prefix compression of keys."""
    if len(block) < 4:
        raise CheckpointError("index block too short")
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 - 4 * restarts
    if limit < 0:
        raise CheckpointError("index block has a bad restart array")
    pos = 0
    key = b""
    while pos < limit:
        shared, pos = _varint(block, pos)
        unshared, pos = _varint(block, pos)
        value_length, pos = _varint(block, pos)
        if shared > len(key) or pos + unshared + value_length > limit:
            raise CheckpointError("corrupt index block entry")
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        yield key, block[pos:pos + value_length]
        pos += value_length


def _table_items(path: str, verify: bool):
    with open(path, "rb") as f:
        table = f.read()
    if len(table) < _FOOTER_LENGTH:
        raise CheckpointError(f"{path}: too short to be a checkpoint index")
    footer = table[-_FOOTER_LENGTH:]
    (magic,) = struct.unpack_from("<Q", footer, _FOOTER_LENGTH - 8)
    if magic != _TABLE_MAGIC:
        raise CheckpointError(f"{path}: not a TensorFlow checkpoint index (bad table magic)")
    _, _, pos = _block_handle(footer)  # the metaindex block: unused here
    index_offset, index_size, _ = _block_handle(footer, pos)
    index = _read_block(table, index_offset, index_size, verify)
    for _, handle in _block_entries(index):
        offset, size, _ = _block_handle(handle)
        yield from _block_entries(_read_block(table, offset, size, verify))


# --- Bundle entries ---------------------------------------------------------------------------------

# TensorFlow DataType enum values of the fixed-width numeric types, as little-endian numpy dtypes.
_DTYPES = {
    1: np.dtype("<f4"),   # DT_FLOAT
    2: np.dtype("<f8"),   # DT_DOUBLE
    3: np.dtype("<i4"),   # DT_INT32
    4: np.dtype("u1"),    # DT_UINT8
    5: np.dtype("<i2"),   # DT_INT16
    6: np.dtype("i1"),    # DT_INT8
    9: np.dtype("<i8"),   # DT_INT64
    10: np.dtype("?"),    # DT_BOOL
    17: np.dtype("<u2"),  # DT_UINT16
    19: np.dtype("<f2"),  # DT_HALF
    22: np.dtype("<u4"),  # DT_UINT32
    23: np.dtype("<u8"),  # DT_UINT64
}


@dataclass
class Entry:
    name: str
    dtype: int = 0
    shape: tuple[int, ...] = ()
    shard_id: int = 0
    offset: int = 0
    size: int = 0
    crc32c: int | None = None  # masked, as stored
    sliced: bool = False
    unknown_rank: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def numpy_dtype(self) -> np.dtype | None:
        return _DTYPES.get(self.dtype)


def _parse_shape(buf: bytes) -> tuple[tuple[int, ...], bool]:
    dims = []
    unknown_rank = False
    for number, wire, value in _fields(buf):
        if number == 2 and wire == 2:  # repeated Dim dim
            size = 0
            for n, w, v in _fields(value):
                if n == 1 and w == 0:
                    size = _signed64(v)
            dims.append(size)
        elif number == 3 and wire == 0:
            unknown_rank = bool(value)
    return tuple(dims), unknown_rank


def _parse_entry(name: str, buf: bytes) -> Entry:
    entry = Entry(name)
    for number, wire, value in _fields(buf):
        if number == 1 and wire == 0:
            entry.dtype = value
        elif number == 2 and wire == 2:
            entry.shape, entry.unknown_rank = _parse_shape(value)
        elif number == 3 and wire == 0:
            entry.shard_id = _signed64(value)
        elif number == 4 and wire == 0:
            entry.offset = _signed64(value)
        elif number == 5 and wire == 0:
            entry.size = _signed64(value)
        elif number == 6 and wire == 5:
            entry.crc32c = value
        elif number == 7:
            entry.sliced = True
        else:
            entry.extra[number] = value
    return entry


def _parse_header(buf: bytes) -> tuple[int, int]:
    num_shards, endianness = 1, 0
    for number, wire, value in _fields(buf):
        if number == 1 and wire == 0:
            num_shards = value
        elif number == 2 and wire == 0:
            endianness = value
    return num_shards, endianness


def list_entries(prefix: str, verify: bool = True) -> tuple[int, dict[str, Entry]]:
    """Returns (number of shards, {tensor name: Entry}) from PREFIX.index."""
    path = prefix + ".index"
    if not os.path.isfile(path):
        raise CheckpointError(f"{path}: no such checkpoint index")
    num_shards = None
    entries: dict[str, Entry] = {}
    for key, value in _table_items(path, verify):
        if key == b"":
            num_shards, endianness = _parse_header(value)
            if endianness != 0:
                raise CheckpointError(f"{path}: big-endian checkpoints are not supported")
            continue
        name = key.decode("utf-8")
        entries[name] = _parse_entry(name, value)
    if num_shards is None:
        raise CheckpointError(f"{path}: no bundle header (is this a V2 checkpoint?)")
    return num_shards, entries


def read_checkpoint(prefix: str, names=None, verify: bool = True) -> dict[str, np.ndarray]:
    """Reads the tensors of the checkpoint with this PREFIX (the path without ``.index``).

    NAMES, if given, is a collection of tensor names or a predicate on a name: only those are read
    (all of them must exist). VERIFY checks the CRC-32C of the index blocks and of every tensor read.
    Tensors of a dtype this reader does not decode (strings, say) are left out when NAMES is None and
    refused when asked for. Arrays come back in C order with the checkpoint's shape.
    """
    num_shards, entries = list_entries(prefix, verify)
    if names is None:
        wanted = [n for n, e in entries.items() if e.numpy_dtype is not None and not e.sliced]
    elif callable(names):
        wanted = [n for n in entries if names(n)]
    else:
        wanted = list(names)
        missing = [n for n in wanted if n not in entries]
        if missing:
            raise CheckpointError(f"{prefix}: no tensor named {', '.join(missing)}")

    shards: dict[int, bytes] = {}
    out: dict[str, np.ndarray] = {}
    for name in wanted:
        entry = entries[name]
        dtype = entry.numpy_dtype
        if dtype is None:
            raise CheckpointError(f"{prefix}: tensor {name} has dtype {entry.dtype}, which is not supported")
        if entry.sliced:
            raise CheckpointError(f"{prefix}: tensor {name} is partitioned into slices, which is not supported")
        if entry.unknown_rank or any(d < 0 for d in entry.shape):
            raise CheckpointError(f"{prefix}: tensor {name} has no fully known shape")
        count = int(np.prod(entry.shape, dtype=np.int64)) if entry.shape else 1
        if count * dtype.itemsize != entry.size:
            raise CheckpointError(
                f"{prefix}: tensor {name}: {entry.size} bytes stored for shape {list(entry.shape)}")
        if not 0 <= entry.shard_id < num_shards:
            raise CheckpointError(f"{prefix}: tensor {name} is in shard {entry.shard_id} of {num_shards}")
        if entry.shard_id not in shards:
            path = f"{prefix}.data-{entry.shard_id:05d}-of-{num_shards:05d}"
            try:
                with open(path, "rb") as f:
                    shards[entry.shard_id] = f.read()
            except OSError as error:
                raise CheckpointError(f"{path}: {error.strerror}") from error
        data = shards[entry.shard_id]
        if entry.offset < 0 or entry.offset + entry.size > len(data):
            raise CheckpointError(f"{prefix}: tensor {name} runs past the end of its shard")
        raw = data[entry.offset:entry.offset + entry.size]
        if verify and entry.crc32c is not None and _unmask(entry.crc32c) != crc32c(raw):
            raise CheckpointError(f"{prefix}: tensor {name}: checksum mismatch (damaged data file?)")
        out[name] = np.frombuffer(raw, dtype=dtype).reshape(entry.shape).copy()
    return out


if __name__ == "__main__":  # python3 tf_checkpoint.py PREFIX: lists the tensors
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: tf_checkpoint.py CHECKPOINT_PREFIX")
    try:
        _, listed = list_entries(sys.argv[1])
    except CheckpointError as error:
        sys.exit(str(error))
    for tensor_name, tensor_entry in listed.items():
        print(f"{tensor_name}\tdtype={tensor_entry.dtype}\tshape={list(tensor_entry.shape)}\t"
              f"shard={tensor_entry.shard_id}\toffset={tensor_entry.offset}\tsize={tensor_entry.size}")
