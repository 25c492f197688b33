"""Calculator: digits, + − × ÷, %, parentheses, delete, clear, equals; a live result preview."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from functools import partial

from devices.sim.apps.base import AppInfo, Screen
from devices.sim.ui import kit
from devices.sim.ui.theme import WIDTH
from devices.sim.ui.widgets import Node, Paint

PKG = "com.android.calculator2"
MAIN = ".Calculator"
# (label, value appended or action, resource id, content-desc)
KEYS = [
    [("C", "clear", "clr", "clear"), ("( )", "paren", "parens", "parentheses"),
     ("%", "%", "op_pct", "percent"), ("÷", "÷", "op_div", "divide")],
    [("7", "7", "digit_7", ""), ("8", "8", "digit_8", ""), ("9", "9", "digit_9", ""),
     ("×", "×", "op_mul", "multiply")],
    [("4", "4", "digit_4", ""), ("5", "5", "digit_5", ""), ("6", "6", "digit_6", ""),
     ("−", "−", "op_sub", "minus")],
    [("1", "1", "digit_1", ""), ("2", "2", "digit_2", ""), ("3", "3", "digit_3", ""),
     ("+", "+", "op_add", "plus")],
    [("0", "0", "digit_0", ""), (".", ".", "dec_point", "point"), ("⌫", "del", "del", "backspace"),
     ("=", "eq", "eq", "equals")],
]
OPS: dict[type, Callable[..., float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
       ast.Div: operator.truediv, ast.USub: operator.neg, ast.UAdd: operator.pos}


def evaluate(expr: str) -> float:
    """The value of a calculator expression; ValueError when it is not one."""
    py = expr.replace("×", "*").replace("÷", "/").replace("−", "-").replace("%", "/100")
    try:
        tree = ast.parse(py, mode="eval")
        return _eval(tree.body)
    except (SyntaxError, ZeroDivisionError, TypeError, KeyError) as exc:
        raise ValueError(f"not an expression: {expr!r}") from exc


def _eval(node: ast.expr) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp):
        return float(OPS[type(node.op)](_eval(node.left), _eval(node.right)))
    if isinstance(node, ast.UnaryOp):
        return float(OPS[type(node.op)](_eval(node.operand)))
    raise TypeError(type(node).__name__)


def show(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"


class Calculator(Screen):
    package = PKG
    activity = MAIN

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        formula = self.state.calculator
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        body.add(Node(kit.TEXT, (40, top + 300, WIDTH - 60, top + 520), text=formula,
                      rid=f"{PKG}:id/formula",
                      paint=Paint("text", fg=pal.on_bg, size=130 if len(formula) < 11 else 84,
                                  align="right")))
        preview = ""
        if formula and any(op in formula for op in "+−×÷%"):
            try:
                preview = show(evaluate(formula))
            except ValueError:
                preview = ""
        body.add(Node(kit.TEXT, (40, top + 540, WIDTH - 60, top + 660), text=preview,
                      rid=f"{PKG}:id/result",
                      paint=Paint("text", fg=pal.on_variant, size=80, align="right")))
        pad_top = bottom - 5 * 250 - 40
        w = WIDTH // 4
        for r, keys in enumerate(KEYS):
            for c, (label, value, rid, desc) in enumerate(keys):
                x, y = c * w, pad_top + r * 250
                op = c == 3 or r == 0
                body.add(Node(kit.BUTTON, (x + 20, y + 15, x + w - 20, y + 235), text=label,
                              desc=desc, rid=f"{PKG}:id/{rid}", clickable=True,
                              on_tap=partial(self.press, value),
                              paint=Paint("circle", bg=pal.primary_container if op
                                          else pal.surface_variant, fg=pal.on_bg, size=80,
                                          icon="backspace" if value == "del" else "")))
        return self.root(top, bottom, body)

    def press(self, value: str) -> None:
        st = self.state
        if value == "clear":
            st.calculator = ""
        elif value == "del":
            st.calculator = st.calculator[:-1]
        elif value == "eq":
            try:
                st.calculator = show(evaluate(st.calculator)) if st.calculator else ""
            except ValueError:
                self.host.toast("Bad expression")
        elif value == "paren":
            opened = st.calculator.count("(") - st.calculator.count(")")
            last = st.calculator[-1:]
            st.calculator += ")" if opened > 0 and (last.isdigit() or last == ")") else "("
        else:
            st.calculator += value

    def on_keys(self, text: str) -> bool:
        """A hardware keyboard types into the formula: digits, + - * / . % ( ) = Enter."""
        names = {"*": "×", "/": "÷", "-": "−", "=": "eq", "\n": "eq", "(": "(", ")": ")"}
        for ch in text:
            if ch.isdigit() or ch in "+.%":
                self.press(ch)
            elif ch in names:
                value = names[ch]
                if value in "()":
                    self.state.calculator += value
                else:
                    self.press(value)
        return True


def app() -> AppInfo:
    return AppInfo("Calculator", PKG, "calculate", MAIN, {MAIN: Calculator})
