using SkiaSharp;

namespace OsteoML.Tests.Evaluation;

/// <summary>Checks on a rendered chart: a real PNG of the expected size, with text drawn outside the data frame.</summary>
internal static class PngImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The PNG signature, the IHDR chunk's size (big-endian), and a full decode by Skia.</summary>
    public static SKBitmap AssertPng(byte[] png, int width, int height, string what)
    {
        CollectionAssert.AreEqual(Signature, png.Take(8).ToArray(), $"{what}: PNG signature");
        Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4), $"{what}: first chunk");
        Assert.AreEqual(width, BigEndian(png, 16), $"{what}: IHDR width");
        Assert.AreEqual(height, BigEndian(png, 20), $"{what}: IHDR height");
        var bitmap = SKBitmap.Decode(png);
        Assert.IsNotNull(bitmap, $"{what}: Skia cannot decode it");
        Assert.AreEqual(width, bitmap.Width);
        Assert.AreEqual(height, bitmap.Height);
        return bitmap;
    }

    /// <summary>
    /// Text is drawn: below the data frame's bottom edge (tick labels, x-axis label) and left of its left edge
    /// (tick labels, y-axis label) there is ink beyond the tick marks. A chart rendered without a usable font
    /// has only the tick marks there, and fails.
    /// </summary>
    public static void AssertTextRendered(SKBitmap bitmap, string what)
    {
        var bottom = FrameEdge(bitmap, horizontal: true);
        var left = FrameEdge(bitmap, horizontal: false);
        const int tickMarks = 10; // tick marks reach a few pixels out of the frame: skip them
        var below = Ink(bitmap, 0, bitmap.Width, bottom + tickMarks, bitmap.Height);
        var beside = Ink(bitmap, 0, left - tickMarks, 0, bitmap.Height);
        Assert.IsGreaterThan(300, below, $"{what}: no text under the plot (dark pixels below row {bottom + tickMarks}: {below})");
        Assert.IsGreaterThan(300, beside, $"{what}: no text left of the plot (dark pixels left of column {left - tickMarks}: {beside})");
    }

    /// <summary>The frame's bottom row (scanning up) or left column (scanning right): the first line mostly dark.</summary>
    private static int FrameEdge(SKBitmap bitmap, bool horizontal)
    {
        var length = horizontal ? bitmap.Width : bitmap.Height;
        var lines = horizontal ? bitmap.Height : bitmap.Width;
        for (var step = 0; step < lines; step++)
        {
            var line = horizontal ? lines - 1 - step : step;
            var dark = 0;
            for (var i = 0; i < length; i++)
                if (IsDark(horizontal ? bitmap.GetPixel(i, line) : bitmap.GetPixel(line, i))) dark++;
            if (dark > length * 0.4)
                return line;
        }
        Assert.Fail("no data frame found in the chart");
        return -1;
    }

    private static int Ink(SKBitmap bitmap, int x0, int x1, int y0, int y1)
    {
        var count = 0;
        for (var y = Math.Max(0, y0); y < Math.Min(bitmap.Height, y1); y++)
            for (var x = Math.Max(0, x0); x < Math.Min(bitmap.Width, x1); x++)
                if (IsDark(bitmap.GetPixel(x, y))) count++;
        return count;
    }

    private static bool IsDark(SKColor c) => 0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue < 128;

    private static int BigEndian(byte[] bytes, int offset) =>
        (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
}
