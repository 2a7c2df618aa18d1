using OsteoML.Imaging;

namespace OsteoML.Inference;

/// <summary>6-connected component labelling of one class in a label volume.</summary>
public static class ConnectedComponents
{
    /// <summary>Labels 1..count for the pieces of <paramref name="label"/>; 0 elsewhere. Breadth-first, O(voxels).</summary>
    public static Volume<int> Label(Volume<byte> classes, byte label, out int count)
    {
        var size = classes.Size;
        var result = new Volume<int>(classes.Geometry);
        var source = classes.Voxels;
        var labels = result.Voxels;
        var queue = new Queue<long>();
        long sx = size.X, sxy = (long)size.X * size.Y;
        var next = 0;
        for (long start = 0; start < source.LongLength; start++)
        {
            if (source[start] != label || labels[start] != 0)
                continue;
            next++;
            labels[start] = next;
            queue.Enqueue(start);
            while (queue.TryDequeue(out var i))
            {
                var x = (int)(i % sx);
                var y = (int)(i / sx % size.Y);
                var z = (int)(i / sxy);
                Visit(x > 0, i - 1);
                Visit(x < size.X - 1, i + 1);
                Visit(y > 0, i - sx);
                Visit(y < size.Y - 1, i + sx);
                Visit(z > 0, i - sxy);
                Visit(z < size.Z - 1, i + sxy);
            }
        }
        count = next;
        return result;

        void Visit(bool inside, long j)
        {
            if (inside && source[j] == label && labels[j] == 0)
            {
                labels[j] = next;
                queue.Enqueue(j);
            }
        }
    }
}
