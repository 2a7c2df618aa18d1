using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace OsteoML.Dicom.IO;

/// <summary>The bytes of a value, in memory or still in its file (bulk data such as pixels stay on disk until read).</summary>
public interface IByteBuffer
{
    long Size { get; }

    /// <summary>All bytes, read into memory when the buffer is file-backed (each call reads again: nothing is cached).</summary>
    ReadOnlyMemory<byte> Data { get; }

    /// <summary>Copies <c>destination.Length</c> bytes starting at <paramref name="offset"/>.</summary>
    void CopyTo(long offset, Span<byte> destination);
}

public sealed class MemoryByteBuffer(ReadOnlyMemory<byte> data) : IByteBuffer
{
    public static readonly MemoryByteBuffer Empty = new(ReadOnlyMemory<byte>.Empty);

    public long Size => data.Length;
    public ReadOnlyMemory<byte> Data => data;

    public void CopyTo(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > data.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + destination.Length} are outside a value of {data.Length} bytes.");
        data.Span.Slice((int)offset, destination.Length).CopyTo(destination);
    }
}

/// <summary>
/// A value left in its file: read on demand with positional reads (no shared stream position, so frames can be
/// read from several threads). Values of a big endian file are swapped to little endian as they are read.
/// </summary>
public sealed class FileByteBuffer : IByteBuffer
{
    public FileByteBuffer(string path, long offset, long size, int swapUnit = 1)
    {
        Path = path;
        Offset = offset;
        Size = size;
        SwapUnit = swapUnit;
    }

    public string Path { get; }
    public long Offset { get; }
    public long Size { get; }
    /// <summary>1 for little endian (or bytes), else the size of the big endian values to swap.</summary>
    public int SwapUnit { get; }

    public ReadOnlyMemory<byte> Data
    {
        get
        {
            if (Size > Array.MaxLength)
                throw new InvalidDataException($"{Path}: a value of {Size} bytes does not fit in memory at once; read it in parts.");
            var bytes = GC.AllocateUninitializedArray<byte>((int)Size);
            CopyTo(0, bytes);
            return bytes;
        }
    }

    public void CopyTo(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > Size)
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + destination.Length} are outside a value of {Size} bytes.");
        using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        ReadExactly(handle, Offset + offset, destination, Path);
        ByteSwap.InPlace(destination, SwapUnit);
    }

    internal static void ReadExactly(SafeFileHandle handle, long fileOffset, Span<byte> destination, string path)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var n = RandomAccess.Read(handle, destination[done..], fileOffset + done);
            if (n <= 0)
                throw new InvalidDataException($"{path}: the file ended at byte {fileOffset + done}, {destination.Length - done} bytes short (truncated file?).");
            done += n;
        }
    }
}

/// <summary>
/// Byte order conversion of binary values (big endian files are converted to little endian as they are read),
/// by the VR's value size — pixel data too: OW by 16-bit words whatever BitsAllocated, as dcmtk and GDCM do.
/// </summary>
internal static class ByteSwap
{
    public static void InPlace(Span<byte> data, int unit)
    {
        switch (unit)
        {
            case 2:
                var u16 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(data[..(data.Length & ~1)]);
                BinaryPrimitives.ReverseEndianness(u16, u16);
                break;
            case 4:
                var u32 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(data[..(data.Length & ~3)]);
                BinaryPrimitives.ReverseEndianness(u32, u32);
                break;
            case 8:
                var u64 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(data[..(data.Length & ~7)]);
                BinaryPrimitives.ReverseEndianness(u64, u64);
                break;
        }
    }
}
