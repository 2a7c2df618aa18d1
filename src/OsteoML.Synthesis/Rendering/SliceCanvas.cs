namespace OsteoML.Synthesis.Rendering;

/// <summary>
/// One axial plane being painted: HU and label per pixel, pixel (i, j) centred at (X0 + i·Dx, Y0 + j·Dy) in LPS,
/// at height <see cref="Z"/>. Parts paint in order; later parts overwrite earlier ones (painter's algorithm).
/// </summary>
internal sealed class SliceCanvas
{
    public SliceCanvas(int width, int height, double x0, double y0, double dx, double dy)
    {
        Width = width;
        Height = height;
        X0 = x0;
        Y0 = y0;
        Dx = dx;
        Dy = dy;
        Hu = new float[width * height];
        Label = new byte[width * height];
    }

    public int Width { get; }
    public int Height { get; }
    public double X0 { get; }
    public double Y0 { get; }
    public double Dx { get; }
    public double Dy { get; }
    public float[] Hu { get; }
    public byte[] Label { get; }
    public double Z { get; set; }

    public double X(int i) => X0 + i * Dx;
    public double Y(int j) => Y0 + j * Dy;

    /// <summary>Pixel columns whose centres lie in [xMin, xMax], clamped to the image (empty when last &lt; first).</summary>
    public (int First, int Last) Columns(double xMin, double xMax) =>
        (Math.Max(0, (int)Math.Ceiling((xMin - X0) / Dx)), Math.Min(Width - 1, (int)Math.Floor((xMax - X0) / Dx)));

    public (int First, int Last) Rows(double yMin, double yMax) =>
        (Math.Max(0, (int)Math.Ceiling((yMin - Y0) / Dy)), Math.Min(Height - 1, (int)Math.Floor((yMax - Y0) / Dy)));

    public void Clear(float hu, byte label)
    {
        Hu.AsSpan().Fill(hu);
        Label.AsSpan().Fill(label);
    }

    /// <summary>Paints pixels [first, last] of row <paramref name="j"/>, only over labels in <paramref name="over"/> when given.</summary>
    public void FillSpan(int j, int first, int last, byte label, float hu, LabelSet? over)
    {
        if (last < first)
            return;
        var start = j * Width + first;
        var count = last - first + 1;
        if (over is null)
        {
            Hu.AsSpan(start, count).Fill(hu);
            Label.AsSpan(start, count).Fill(label);
            return;
        }
        for (var i = start; i < start + count; i++)
        {
            if (over.Contains(Label[i]))
            {
                Hu[i] = hu;
                Label[i] = label;
            }
        }
    }
}

/// <summary>A set of label values (which labels a part may paint over).</summary>
internal sealed class LabelSet
{
    private readonly bool[] _members = new bool[256];

    public LabelSet(params byte[] labels)
    {
        foreach (var label in labels)
            _members[label] = true;
    }

    public bool Contains(byte label) => _members[label];
}
