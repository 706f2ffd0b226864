/**
 * A chart's numbers as a table behind a disclosure: for screen readers, and for anyone who wants
 * the figures rather than the line. The first column heads each row; the others are numbers.
 */
interface FigureTableProps {
  summary: string;
  caption: string;
  /** The row headers' column, then the numeric columns. */
  columns: readonly string[];
  /** Each row: its header, then one cell per numeric column, already formatted. */
  rows: readonly (readonly [string, ...(string | number)[]])[];
}

export function FigureTable(props: FigureTableProps) {
  const [first, ...numeric] = props.columns;
  return (
    <details>
      <summary>{props.summary}</summary>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{first}</th>
              {numeric.map((c) => (
                <th scope="col" class="num">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.map(([header, ...cells]) => (
              <tr>
                <th scope="row">{header}</th>
                {cells.map((cell) => (
                  <td class="num">{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
