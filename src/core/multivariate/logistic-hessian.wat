;; The Newton step's hot loop of the domain classifier's logistic regression (domainClassifier.ts):
;; the gradient X'r and the Hessian X'WX over column-major terms, n p^2 / 2 multiply-adds a step.
;; JavaScript's typed-array loads with their bounds checks ran it at half this speed. Every sum adds
;; its terms in row order with separate multiplies and adds (WebAssembly never fuses them), so each
;; entry is bit for bit the one fitLogistic's JavaScript loop computes. Compiled by
;; scripts/build-wasm.mjs into logistic-hessian-wasm.ts.
;;
;; Memory (grown by the caller to fit): the terms x at 0 (p columns of n float64), then w, r and a
;; scratch column (n each), then the output: the q x q Hessian row-major (q = p + 1; the diagonal
;; without the penalty, row p unset) and the p gradient sums (without the penalty).
(module
  (memory (export "memory") 1)

  ;; Byte offsets: $w, $r, $weighted (n float64 each), $h (q x q), $g (p).
  (func (export "hessian") (param $n i32) (param $p i32) (param $w i32) (param $r i32) (param $weighted i32) (param $h i32) (param $g i32)
    (local $a i32) (local $b i32) (local $i i32) (local $end i32) (local $column i32) (local $q8 i32)
    (local $oa i32) (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $row i32)
    (local $v f64) (local $wv f64) (local $sum f64) (local $ha f64)
    (local $d0 f64) (local $d1 f64) (local $d2 f64) (local $d3 f64)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (local.set $column (local.get $end))
    (local.set $q8 (i32.shl (i32.add (local.get $p) (i32.const 1)) (i32.const 3)))
    (local.set $a (i32.const 0))
    (block $doneA
      (loop $eachA
        (br_if $doneA (i32.ge_u (local.get $a) (local.get $p)))
        (local.set $oa (i32.mul (local.get $a) (local.get $column)))
        (local.set $row (i32.add (local.get $h) (i32.mul (local.get $a) (local.get $q8))))
        ;; Gradient sum, the intercept's Hessian entry, and column a weighted by w.
        (local.set $sum (f64.const 0))
        (local.set $ha (f64.const 0))
        (local.set $i (i32.const 0))
        (block $doneI
          (loop $eachI
            (br_if $doneI (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $v (f64.load (i32.add (local.get $oa) (local.get $i))))
            (local.set $sum (f64.add (local.get $sum) (f64.mul (f64.load (i32.add (local.get $r) (local.get $i))) (local.get $v))))
            (local.set $wv (f64.mul (f64.load (i32.add (local.get $w) (local.get $i))) (local.get $v)))
            (f64.store (i32.add (local.get $weighted) (local.get $i)) (local.get $wv))
            (local.set $ha (f64.add (local.get $ha) (local.get $wv)))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $eachI)))
        (f64.store (i32.add (local.get $g) (i32.shl (local.get $a) (i32.const 3))) (local.get $sum))
        (f64.store (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 3))) (local.get $ha))
        ;; Columns b >= a, four at a time: each weighted value loaded once for four dot products.
        (local.set $b (local.get $a))
        (block $doneFour
          (loop $eachFour
            (br_if $doneFour (i32.ge_s (i32.add (local.get $b) (i32.const 3)) (local.get $p)))
            (local.set $o0 (i32.mul (local.get $b) (local.get $column)))
            (local.set $o1 (i32.add (local.get $o0) (local.get $column)))
            (local.set $o2 (i32.add (local.get $o1) (local.get $column)))
            (local.set $o3 (i32.add (local.get $o2) (local.get $column)))
            (local.set $d0 (f64.const 0))
            (local.set $d1 (f64.const 0))
            (local.set $d2 (f64.const 0))
            (local.set $d3 (f64.const 0))
            (local.set $i (i32.const 0))
            (block $doneRows
              (loop $eachRow
                (br_if $doneRows (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $wv (f64.load (i32.add (local.get $weighted) (local.get $i))))
                (local.set $d0 (f64.add (local.get $d0) (f64.mul (local.get $wv) (f64.load (i32.add (local.get $o0) (local.get $i))))))
                (local.set $d1 (f64.add (local.get $d1) (f64.mul (local.get $wv) (f64.load (i32.add (local.get $o1) (local.get $i))))))
                (local.set $d2 (f64.add (local.get $d2) (f64.mul (local.get $wv) (f64.load (i32.add (local.get $o2) (local.get $i))))))
                (local.set $d3 (f64.add (local.get $d3) (f64.mul (local.get $wv) (f64.load (i32.add (local.get $o3) (local.get $i))))))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $eachRow)))
            (f64.store (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 3))) (local.get $d0))
            (f64.store offset=8 (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 3))) (local.get $d1))
            (f64.store offset=16 (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 3))) (local.get $d2))
            (f64.store offset=24 (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 3))) (local.get $d3))
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (br $eachFour)))
        ;; The last columns, one at a time.
        (block $doneOne
          (loop $eachOne
            (br_if $doneOne (i32.ge_s (local.get $b) (local.get $p)))
            (local.set $o0 (i32.mul (local.get $b) (local.get $column)))
            (local.set $d0 (f64.const 0))
            (local.set $i (i32.const 0))
            (block $doneTail
              (loop $eachTail
                (br_if $doneTail (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $d0 (f64.add (local.get $d0) (f64.mul (f64.load (i32.add (local.get $weighted) (local.get $i))) (f64.load (i32.add (local.get $o0) (local.get $i))))))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $eachTail)))
            (f64.store (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 3))) (local.get $d0))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $eachOne)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $eachA)))))
