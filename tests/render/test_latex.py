import pytest

from reeval.render.latex import (
    Latex,
    cell_interval,
    cell_iqr,
    cell_pm,
    escape,
    format_number,
    latex_table,
    p_cell,
    write_table,
)
from reeval.render.variables import write_variable, write_variables


def test_escape_plain_text_but_not_markup():
    assert escape("50% of a_b & c#") == r"50\% of a\_b \& c\#"
    assert escape(Latex(r"$\pm$")) == r"$\pm$"


def test_number_formats():
    assert format_number(3955) == "3955"
    assert format_number(-780.123, 1) == "-780.1"
    assert format_number(float("nan")) == "n/a"
    assert cell_iqr(0.9512, 0.0123, 3) == "0.951 [0.012]"
    assert cell_pm(0.95, 0.005, 3) == r"0.950 $\pm$ 0.005"
    assert cell_interval(1, 2.5, 1) == "[1.0, 2.5]"


def test_table_structure():
    table = latex_table(["Model", "R2"], [["RF", "0.9"], ["MPNN_x", "0.8"]])
    lines = table.splitlines()
    assert lines[0] == r"\begin{tabular}{lr}"
    assert lines[1] == r"\toprule" and lines[-2] == r"\bottomrule"
    assert r"MPNN\_x & 0.8 \\" in lines
    assert r"\textbf" not in table


def test_bold_only_where_told():
    rows = [["A", "0.90"], ["B", "0.95"]]
    assert r"\textbf" not in latex_table(["m", "v"], rows)  # never bolds the maximum by itself
    table = latex_table(["m", "v"], rows, significantly_best=[(1, 1)])
    assert r"B & \textbf{0.95} \\" in table
    assert r"A & 0.90 \\" in table


def test_midrules_and_column_specs():
    table = latex_table(["a", "b"], [["1", "2"], ["3", "4"]], align="p{3cm}r", midrules_after=[0])
    assert table.count(r"\midrule") == 2
    with pytest.raises(ValueError, match="columns"):
        latex_table(["a", "b"], [["1", "2"]], align="lrr")
    with pytest.raises(ValueError, match="row 0 has 1 cells"):
        latex_table(["a", "b"], [["1"]])


def test_written_files_are_complete(tmp_path):
    path = write_table(tmp_path / "t.tex", latex_table(["a"], [["1"]]))
    assert path.read_text().endswith("\\end{tabular}\n")
    write_variable(tmp_path, "bh_n", 3955)
    write_variables(tmp_path, {"gap": -1.26, "label": "898, 900"}, digits=1)
    assert (tmp_path / "bh_n.txt").read_text() == "3955\n"
    assert (tmp_path / "gap.txt").read_text() == "-1.3\n"
    assert (tmp_path / "label.txt").read_text() == "898, 900\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bh_n.txt",
        "gap.txt",
        "label.txt",
        "t.tex",
    ]


def test_variable_names_and_values_are_checked(tmp_path):
    with pytest.raises(ValueError, match="must match"):
        write_variable(tmp_path, "Bad-Name", 1)
    with pytest.raises(ValueError, match="single line"):
        write_variable(tmp_path, "two", "a\nb")
    with pytest.raises(TypeError):
        write_variable(tmp_path, "flag", True)


def test_p_cells_never_set_a_bare_less_than_sign():
    assert p_cell(0.0004) == "$<$0.001" and isinstance(p_cell(0.0004), Latex)
    assert p_cell(0.001) == "0.001" and p_cell(0.0456) == "0.046"
    assert p_cell(float("nan")) == "--" and p_cell(None) == "--"
    assert p_cell(0.004, digits=2) == "$<$0.01"
    row = latex_table(["p"], [[p_cell(1e-9)]])
    assert "$<$0.001" in row and "<0" not in row.replace("$<$", "")
