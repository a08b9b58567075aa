namespace Dtmem.Layout.Model;

/// <summary>
/// The bottom-up heapsort of the kernel's lib/sort.c as of 5.2–5.10. Linux 5.4/5.10 sort reserved_mem[] with a
/// comparator that has no tie-break, so the order of equal keys (several dynamic regions, all 0/0) comes out of
/// this exact algorithm; replicating it predicts their allocation order.
/// </summary>
internal static class LibSort
{
    public static void Sort<T>(IList<T> items, Comparison<T> cmp)
    {
        var n = items.Count;
        var a = n / 2;
        if (a == 0) return;
        while (true)
        {
            if (a > 0) a--;
            else if (--n > 0) Swap(items, 0, n);
            else break;

            // Sift the element at a down: find the leaf on the path of larger children.
            int b = a, c, d;
            while (true)
            {
                c = 2 * b + 1;
                d = c + 1;
                if (d >= n) break;
                b = cmp(items[c], items[d]) >= 0 ? c : d;
            }
            if (d == n) b = c;
            // Backtrack to where a belongs, then rotate it into place.
            while (b != a && cmp(items[a], items[b]) >= 0) b = (b - 1) / 2;
            c = b;
            while (b != a)
            {
                b = (b - 1) / 2;
                Swap(items, b, c);
            }
        }
    }

    private static void Swap<T>(IList<T> items, int i, int j) => (items[i], items[j]) = (items[j], items[i]);
}
