using System.Numerics;
using System.Runtime.InteropServices;

namespace OsteoML.Imaging.Filtering;

/// <summary>
/// 1D convolution of images along one axis with an odd, centred kernel, edges extended with the nearest value
/// (scipy.ndimage's <c>mode='nearest'</c>). Vectorised along x, so each pass costs about kernel-length
/// multiply-adds per voxel divided by the SIMD width.
/// </summary>
public static class SeparableConvolution
{
    /// <summary>Convolves every row (along x) of a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static void AlongX(ReadOnlySpan<float> source, Span<float> target, int width, int height, ReadOnlySpan<float> kernel)
    {
        CheckShape(source, target, (long)width * height, kernel);
        var r = kernel.Length / 2;
        for (var y = 0; y < height; y++)
        {
            var row = source.Slice(y * width, width);
            var output = target.Slice(y * width, width);
            // Interior: every tap in range, vectorised over x.
            var start = Math.Min(r, width);
            var end = Math.Max(start, width - r);
            output[start..end].Clear();
            for (var k = 0; k < kernel.Length; k++)
                MultiplyAdd(row.Slice(start + k - r, end - start), kernel[k], output[start..end]);
            // Edges: clamp the index.
            for (var x = 0; x < start; x++)
                output[x] = ClampedTap(row, x, kernel);
            for (var x = end; x < width; x++)
                output[x] = ClampedTap(row, x, kernel);
        }
    }

    /// <summary>Convolves every column (along y) of a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static void AlongY(ReadOnlySpan<float> source, Span<float> target, int width, int height, ReadOnlySpan<float> kernel) =>
        AlongOuterAxis(source, target, width, height, kernel);

    /// <summary>Convolves along z: each output plane is a weighted sum of <paramref name="planeSize"/>-long input planes.</summary>
    public static void AlongZ(ReadOnlySpan<float> source, Span<float> target, int planeSize, int depth, ReadOnlySpan<float> kernel) =>
        AlongOuterAxis(source, target, planeSize, depth, kernel);

    /// <summary>Along the slowest axis of <paramref name="count"/> contiguous lines: each output line is a weighted sum
    /// of whole input lines, one vectorised multiply-add per tap.</summary>
    private static void AlongOuterAxis(ReadOnlySpan<float> source, Span<float> target, int lineLength, int count, ReadOnlySpan<float> kernel)
    {
        CheckShape(source, target, (long)lineLength * count, kernel);
        var r = kernel.Length / 2;
        for (var line = 0; line < count; line++)
        {
            var output = target.Slice(line * lineLength, lineLength);
            output.Clear();
            for (var k = 0; k < kernel.Length; k++)
                MultiplyAdd(source.Slice(Math.Clamp(line + k - r, 0, count - 1) * lineLength, lineLength), kernel[k], output);
        }
    }

    private static float ClampedTap(ReadOnlySpan<float> row, int x, ReadOnlySpan<float> kernel)
    {
        var r = kernel.Length / 2;
        var sum = 0f;
        for (var k = 0; k < kernel.Length; k++)
            sum += kernel[k] * row[Math.Clamp(x + k - r, 0, row.Length - 1)];
        return sum;
    }

    /// <summary><c>accumulator += weight · values</c>, vectorised.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> values, float weight, Span<float> accumulator)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var w = new Vector<float>(weight);
            var vin = MemoryMarshal.Cast<float, Vector<float>>(values);
            var vout = MemoryMarshal.Cast<float, Vector<float>>(accumulator);
            for (var v = 0; v < vin.Length; v++)
                vout[v] += vin[v] * w;
            i = vin.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++)
            accumulator[i] += weight * values[i];
    }

    private static void CheckShape(ReadOnlySpan<float> source, Span<float> target, long count, ReadOnlySpan<float> kernel)
    {
        if (source.Length != count || target.Length != count)
            throw new ArgumentException($"Image buffers hold {source.Length} and {target.Length} values, the shape needs {count}.");
        if (kernel.Length % 2 == 0)
            throw new ArgumentException($"The kernel needs an odd length to be centred, got {kernel.Length}.", nameof(kernel));
        if (source.Overlaps(target))
            throw new ArgumentException("Source and target must not overlap.", nameof(target));
    }
}
