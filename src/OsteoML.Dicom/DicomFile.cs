using OsteoML.Dicom.Codecs;
using OsteoML.Dicom.IO;
using OsteoML.Domain;

namespace OsteoML.Dicom;

/// <summary>
/// A DICOM Part 10 file: file meta information (group 0002) and the dataset. <see cref="Open(string, DicomReadOptions?)"/>
/// reads the header and leaves pixel data in the file until a frame is read.
/// </summary>
public sealed class DicomFile
{
    public DicomFile(DicomDataset dataset) : this(new DicomDataset(), dataset) { }

    public DicomFile(DicomDataset fileMetaInfo, DicomDataset dataset)
    {
        FileMetaInfo = fileMetaInfo;
        Dataset = dataset;
    }

    public DicomDataset FileMetaInfo { get; }
    public DicomDataset Dataset { get; }

    /// <summary>The path this file was read from, when it was.</summary>
    public string? Path { get; private init; }

    /// <summary>The syntax the dataset is encoded in; <see cref="Save(string)"/> writes in it.</summary>
    public DicomTransferSyntax TransferSyntax => Dataset.InternalTransferSyntax;

    /// <summary>True when the dataset has pixel data, including when reading stopped at it (<see cref="DicomReadOptions.StopAtPixelData"/>).</summary>
    public bool HasPixelData => StoppedAtPixelData || Dataset.Contains(DicomTag.PixelData) || Dataset.Contains(DicomTag.FloatPixelData)
                                || Dataset.Contains(DicomTag.DoubleFloatPixelData);

    /// <summary>True when a header-only read stopped at the pixel data element.</summary>
    internal bool StoppedAtPixelData { get; private init; }

    /// <summary>When the header-only read stopped at the pixel data: its declared length (null: undefined, encapsulated).</summary>
    internal long? PixelDataLength { get; private init; }

    /// <summary>When the header-only read stopped at the pixel data: the most bytes the rest of the file holds (or inflates to).</summary>
    internal long PixelDataBytesBound { get; private init; }

    /// <summary>What the reader passed over instead of refusing the file (e.g. bytes after the pixel data), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Reads the header and dataset; pixel data stays in the file (read per frame by <see cref="DicomPixelData"/>).</summary>
    public static DicomFile Open(string path, DicomReadOptions? options = null)
    {
        using var input = DicomInput.OpenFile(path);
        return FromResult(DicomReader.Read(input, options ?? DicomReadOptions.Default), path);
    }

    /// <summary>Reads a whole stream into memory and parses it (pixel data included).</summary>
    public static DicomFile Open(Stream stream, DicomReadOptions? options = null)
    {
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        using var input = DicomInput.FromMemory(copy.GetBuffer(), (int)copy.Length, "stream");
        return FromResult(DicomReader.Read(input, options ?? DicomReadOptions.Default), null);
    }

    /// <summary>True when the file starts like DICOM: a preamble with "DICM", or a bare dataset's first element.</summary>
    public static bool HasDicomPrefix(string path)
    {
        Span<byte> head = stackalloc byte[132];
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var n = RandomAccess.Read(handle, head, 0);
        return n == 132 && head[128..].SequenceEqual("DICM"u8);
    }

    private static DicomFile FromResult(DicomReader.Result result, string? path) =>
        new(result.Meta, result.Dataset)
        {
            Path = path, StoppedAtPixelData = result.StoppedAtPixelData, Warnings = result.Warnings,
            PixelDataLength = result.PixelDataLength, PixelDataBytesBound = result.PixelDataBytesBound,
        };

    /// <summary>Writes the file (preamble, file meta with fresh group length, dataset) in <see cref="TransferSyntax"/>.
    /// The file is written beside the target and renamed over it, so saving over the file it was read from is safe.</summary>
    public void Save(string path) => AtomicFile.Write(System.IO.Path.GetFullPath(path), Save, flushToDisk: false);

    public void Save(Stream stream) => DicomWriter.WriteFile(stream, FileMetaInfo, Dataset, TransferSyntax);

    /// <summary>
    /// A copy in another transfer syntax: native syntaxes are rewritten as they are; pixel data is decoded and
    /// re-encoded when encapsulation changes (the codec of <see cref="DicomCodecRegistry"/> for each side).
    /// </summary>
    public DicomFile Clone(DicomTransferSyntax syntax)
    {
        var dataset = DicomTranscoder.Transcode(Dataset, syntax);
        return new DicomFile(FileMetaInfo.Clone(), dataset) { Path = Path };
    }
}
