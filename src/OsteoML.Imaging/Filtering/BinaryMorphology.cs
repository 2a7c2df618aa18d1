namespace OsteoML.Imaging.Filtering;

/// <summary>
/// Binary erosion and dilation with the 6-connected cross (face neighbours), repeated <c>iterations</c> times;
/// voxels beyond the volume count as background. Matches <c>scipy.ndimage.binary_erosion/binary_dilation</c>
/// with their default structure and <c>border_value=0</c>.
/// </summary>
public static class BinaryMorphology
{
    public static Volume<bool> Erode(Volume<bool> mask, int iterations = 1) => Repeat(mask, iterations, erode: true);

    public static Volume<bool> Dilate(Volume<bool> mask, int iterations = 1) => Repeat(mask, iterations, erode: false);

    private static Volume<bool> Repeat(Volume<bool> mask, int iterations, bool erode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        var current = mask.Voxels;
        for (var i = 0; i < iterations; i++)
            current = Step(current, mask.Size, erode);
        return new Volume<bool>(mask.Geometry, iterations == 0 ? (bool[])current.Clone() : current);
    }

    private static bool[] Step(bool[] source, Size3 size, bool erode)
    {
        var result = new bool[source.Length];
        var plane = size.X * size.Y;
        Parallel.For(0, size.Z, z =>
        {
            for (var y = 0; y < size.Y; y++)
            {
                for (var x = 0; x < size.X; x++)
                {
                    var i = z * plane + y * size.X + x;
                    // Erosion keeps a voxel whose whole cross is set; dilation sets one whose cross touches a set voxel.
                    result[i] = erode
                        ? source[i] && At(x - 1, y, z) && At(x + 1, y, z) && At(x, y - 1, z) && At(x, y + 1, z) && At(x, y, z - 1) && At(x, y, z + 1)
                        : source[i] || At(x - 1, y, z) || At(x + 1, y, z) || At(x, y - 1, z) || At(x, y + 1, z) || At(x, y, z - 1) || At(x, y, z + 1);
                }
            }
        });
        return result;

        bool At(int x, int y, int z) => size.Contains(x, y, z) && source[(z * size.Y + y) * size.X + x];
    }
}
