using SkiaSharp;

namespace OsteoML.Pipelines.DicomOutputs;

/// <summary>The QA picture's pixels for a Secondary Capture: the PNG that <see cref="Screening.QaImage.Render"/> gives, decoded to 8-bit RGB rows.</summary>
public static class QaSecondaryCapture
{
    public static (int Width, int Height, byte[] Rgb) DecodePng(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidDataException("the QA image is not a decodable PNG.");
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        var n = 0;
        for (var y = 0; y < bitmap.Height; y++)
        for (var x = 0; x < bitmap.Width; x++)
        {
            var c = bitmap.GetPixel(x, y);
            rgb[n++] = c.Red;
            rgb[n++] = c.Green;
            rgb[n++] = c.Blue;
        }
        return (bitmap.Width, bitmap.Height, rgb);
    }
}
