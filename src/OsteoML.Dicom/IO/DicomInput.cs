using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace OsteoML.Dicom.IO;

/// <summary>
/// Forward reading over a file or an in-memory copy with bounds checks: every length read from the data is
/// checked against the bytes left before anything is allocated or skipped. File input is read in chunks with
/// positional reads; values are slices of those chunks (a chunk is never overwritten, so slices stay valid).
/// </summary>
internal sealed class DicomInput : IDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly SafeFileHandle? _handle;
    private byte[] _buffer;
    private int _pos;
    private int _end;
    private long _bufferStart;

    private DicomInput(string name, string? path, SafeFileHandle? handle, long length, byte[] buffer, int end)
    {
        Name = name;
        Path = path;
        _handle = handle;
        Length = length;
        _buffer = buffer;
        _end = end;
    }

    public static DicomInput OpenFile(string path)
    {
        // Opening a FIFO blocks until a writer appears, and a device never ends: only regular files are DICOM files.
        if (FileStatus.Of(path, followLinks: true).Kind is FileKind.Other or FileKind.Directory)
            throw new DicomDataException($"{path}: not a regular file (a FIFO, socket, device or folder); not opened.");
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return new DicomInput(path, path, handle, RandomAccess.GetLength(handle), [], 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public static DicomInput FromMemory(byte[] bytes, int length, string name) => new(name, null, null, length, bytes, length);

    /// <summary>For messages: the file path or a description of the stream.</summary>
    public string Name { get; }
    /// <summary>The file, when values can be left in it and read later.</summary>
    public string? Path { get; }
    public long Length { get; }
    public long Position => _bufferStart + _pos;
    public long Remaining => Length - Position;

    public void Dispose() => _handle?.Dispose();

    /// <summary>Makes <paramref name="count"/> bytes available at the current position, reading ahead by up to <paramref name="readAhead"/>.</summary>
    public void Ensure(int count, int readAhead = ChunkSize)
    {
        if (_end - _pos >= count)
            return;
        if (count > Remaining)
            throw Truncated(count);
        // Only files get here: memory input holds everything from the start.
        var keep = _end - _pos;
        var size = (int)Math.Min(Math.Max(count, readAhead), Remaining);
        var next = GC.AllocateUninitializedArray<byte>(size);
        _buffer.AsSpan(_pos, keep).CopyTo(next);
        FileByteBuffer.ReadExactly(_handle!, _bufferStart + _end, next.AsSpan(keep, size - keep), Name);
        _bufferStart += _pos;
        _buffer = next;
        _pos = 0;
        _end = size;
    }

    public DicomDataException Truncated(long count) =>
        new($"{Name}: needs {count} bytes at offset {Position} but only {Remaining} are left (truncated or corrupt file).");

    public byte PeekByte(int offset)
    {
        Ensure(offset + 1);
        return _buffer[_pos + offset];
    }

    public ushort PeekUInt16(int offset, bool bigEndian)
    {
        Ensure(offset + 2);
        var span = _buffer.AsSpan(_pos + offset, 2);
        return bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
    }

    public ushort ReadUInt16(bool bigEndian)
    {
        var value = PeekUInt16(0, bigEndian);
        _pos += 2;
        return value;
    }

    public uint ReadUInt32(bool bigEndian)
    {
        Ensure(4);
        var span = _buffer.AsSpan(_pos, 4);
        _pos += 4;
        return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
    }

    /// <summary>The next <paramref name="count"/> bytes as a slice of the input (no copy for in-memory input).</summary>
    public ReadOnlyMemory<byte> Take(int count, int readAhead = ChunkSize)
    {
        Ensure(count, readAhead);
        var slice = new Memory<byte>(_buffer, _pos, count);
        _pos += count;
        return slice;
    }

    /// <summary>Like <see cref="Take"/>, but converting big endian values of <paramref name="unitSize"/> bytes to little endian.</summary>
    public ReadOnlyMemory<byte> TakeSwapped(int count, int unitSize)
    {
        Ensure(count);
        // The bytes are ours and are read once, so they are swapped in place.
        ByteSwap.InPlace(_buffer.AsSpan(_pos, count), unitSize);
        var slice = new Memory<byte>(_buffer, _pos, count);
        _pos += count;
        return slice;
    }

    public void Skip(long count)
    {
        if (count > Remaining)
            throw Truncated(count);
        Seek(Position + count);
    }

    public void Seek(long position)
    {
        if (position < 0 || position > Length)
            throw new DicomDataException($"{Name}: offset {position} is outside the file ({Length} bytes).");
        if (position >= _bufferStart && position <= _bufferStart + _end)
        {
            _pos = (int)(position - _bufferStart);
            return;
        }
        // Past the buffered chunk (files only): the next read fetches from there.
        _bufferStart = position;
        _buffer = [];
        _pos = _end = 0;
    }

    /// <summary>A buffer over bytes [position, position + count) that stays in the file, or a slice when the input is in memory.</summary>
    public IByteBuffer Region(long position, long count, int swapUnit)
    {
        if (Path is not null)
            return new FileByteBuffer(Path, position, count, swapUnit);
        var bytes = _buffer.AsMemory((int)position, (int)count);
        if (swapUnit > 1)
        {
            var copy = bytes.ToArray();
            ByteSwap.InPlace(copy, swapUnit);
            return new MemoryByteBuffer(copy);
        }
        return new MemoryByteBuffer(bytes);
    }

    /// <summary>The rest of the input, for inflating a deflated dataset.</summary>
    public Stream RestAsStream()
    {
        if (_handle is null)
            return new MemoryStream(_buffer, _pos, _end - _pos, writable: false);
        var stream = new FileStream(_handle, FileAccess.Read, 0) { Position = Position };
        return stream;
    }
}
