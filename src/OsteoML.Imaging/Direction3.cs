namespace OsteoML.Imaging;

/// <summary>
/// Orientation of a volume: the patient-space (LPS) unit vectors of its i, j and k axes. For a DICOM
/// series, I and J are ImageOrientationPatient's row and column directions and K the slice-stacking
/// direction (not always I × J: a series may be stored feet-first).
/// </summary>
public readonly record struct Direction3(Vec3 I, Vec3 J, Vec3 K)
{
    public static readonly Direction3 Identity = new(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, 1));

    public Vec3 this[int axis] => axis switch
    {
        0 => I,
        1 => J,
        2 => K,
        _ => throw new ArgumentOutOfRangeException(nameof(axis)),
    };

    /// <summary>Direction · v, i.e. index-space offsets (already scaled by spacing) into patient space.</summary>
    public Vec3 Apply(Vec3 v) => I * v.X + J * v.Y + K * v.Z;

    /// <summary>Inverse of <see cref="Apply"/>, valid for any non-singular direction (the axes may be sheared by gantry tilt).</summary>
    public Vec3 Solve(Vec3 p)
    {
        var det = Determinant;
        if (Math.Abs(det) < 1e-12)
            throw new InvalidOperationException("The volume's direction matrix is singular.");
        // Cramer's rule with the columns I, J, K.
        return new Vec3(p.Dot(J.Cross(K)) / det, I.Dot(p.Cross(K)) / det, I.Dot(J.Cross(p)) / det);
    }

    public double Determinant => I.Dot(J.Cross(K));

    /// <summary>True when the axes are orthonormal to within <paramref name="tolerance"/>.</summary>
    public bool IsOrthonormal(double tolerance = 1e-4) =>
        Math.Abs(I.Length - 1) < tolerance && Math.Abs(J.Length - 1) < tolerance && Math.Abs(K.Length - 1) < tolerance
        && Math.Abs(I.Dot(J)) < tolerance && Math.Abs(I.Dot(K)) < tolerance && Math.Abs(J.Dot(K)) < tolerance;
}
