namespace Mediasoup.Fuzz;

/// <summary>Writes each target's seeds into DIR/NAME/seed-N.bin (the committed corpora).</summary>
internal static class Seeds
{
    public static void WriteAll(string dir)
    {
        foreach (string name in FuzzTargets.Names)
        {
            FuzzTargets.TryGet(name, out Func<IFuzzTarget>? create);
            IFuzzTarget t = create!();
            string d = Path.Combine(dir, t.Name);
            Directory.CreateDirectory(d);
            int i = 0;
            foreach (byte[] seed in t.Seeds())
                File.WriteAllBytes(Path.Combine(d, $"seed-{i++:D2}.bin"), seed);
            Console.WriteLine($"{t.Name}: {i} seeds");
        }
    }
}
