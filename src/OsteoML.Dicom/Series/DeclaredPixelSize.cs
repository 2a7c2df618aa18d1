using OsteoML.Dicom.Codecs;

namespace OsteoML.Dicom.Series;

/// <summary>
/// Checks, from a header-only read, that the pixel data a file declares — NumberOfFrames × Rows × Columns ×
/// SamplesPerPixel × BitsAllocated — fits the bytes actually present, before anything is made per frame. A 67 KB
/// file declaring 2,147,483,647 frames would otherwise become two billion slices (and a volume to match).
/// Native data must hold every frame; encapsulated data needs an 8-byte item per frame and can expand only as far
/// as its codec allows (<see cref="IDicomCodec.MaxDecodedBytes"/>).
/// </summary>
internal static class DeclaredPixelSize
{
    /// <exception cref="DicomDataException">The declared size does not fit; the message names the tags and the rule.</exception>
    public static void Check(DicomFile file)
    {
        var dataset = file.Dataset;
        if (!dataset.TryGetSingleValue<int>(DicomTag.Rows, out var rows) || !dataset.TryGetSingleValue<int>(DicomTag.Columns, out var columns)
            || !dataset.TryGetSingleValue<int>(DicomTag.BitsAllocated, out var bits))
            return; // an incomplete Image Pixel module is refused with its own reason when the pixels are read
        var frames = dataset.GetSingleValueOrDefault(DicomTag.NumberOfFrames, 1);
        if (frames < 1)
            throw new DicomDataException($"{file.Path}: NumberOfFrames (0028,0008) is {frames}; it must be at least 1.");
        if (rows <= 0 || columns <= 0)
            throw new DicomDataException($"{file.Path}: Rows (0028,0010) {rows} × Columns (0028,0011) {columns}: both must be positive.");
        var samples = Math.Max(1, dataset.GetSingleValueOrDefault(DicomTag.SamplesPerPixel, 1));
        var needed = ((long)rows * columns * samples * Math.Max(1, bits) + 7) / 8 * frames;
        if (bits == 1) needed = ((long)rows * columns * samples * frames + 7) / 8;
        var what = $"NumberOfFrames {frames} × Rows {rows} × Columns {columns} × SamplesPerPixel {samples} × BitsAllocated {bits} = {needed} bytes";
        var present = file.PixelDataBytesBound;
        if (file.PixelDataLength is { } declared)
        {
            if (declared > present)
                throw new DicomDataException($"{file.Path}: PixelData (7FE0,0010) declares {declared} bytes but only {present} follow (truncated file).");
            if (needed > declared)
                throw new DicomDataException($"{file.Path}: {what}, but PixelData (7FE0,0010) holds {declared}; the header declares more than the file contains.");
            return;
        }
        if ((long)frames * 8 > present)
            throw new DicomDataException($"{file.Path}: NumberOfFrames {frames} needs at least {frames} fragment items of 8 bytes, but only {present} bytes of encapsulated pixel data follow.");
        if (DicomCodecRegistry.Find(dataset.InternalTransferSyntax) is { } codec && needed > codec.MaxDecodedBytes(present))
            throw new DicomDataException($"{file.Path}: {what}, more than {present} bytes of {dataset.InternalTransferSyntax.Name} data can decode to.");
    }
}
