# SPDX-License-Identifier: GPL-2.0-only
# gnuplot script for bench/run: speed of vfpci relative to vfio-pci per
# metric (throughput ratio, or the inverse of the latency ratio, so that
# above 1 always means vfpci is better), with the IQR of the paired
# ratios and the noise floor (vfio-pci against itself) as a grey band.
# Usage: gnuplot -e "dat='latest.dat'; png='latest.png'; ttl='...'" bench/plot.gp
set terminal pngcairo size 1100,560 font "sans,10" noenhanced
set output png
set title ttl
set ylabel "vfpci speed / vfio-pci speed  (>1: vfpci better)"
# before any y range: stats of one column filters by the y range
stats dat using 1 nooutput
set logscale y 2
set yrange [0.25:4]
set ytics (0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4)
set xrange [-0.7:STATS_max + 0.7]
set bmargin 6
set xtics rotate by -35 left
set grid ytics lc rgb "#dddddd"
set key top left
set style fill solid 0.6 noborder
plot dat using 1:((column(6)+column(7))/2):($1-0.35):($1+0.35):6:7 with boxxyerror \
	lc rgb "#cccccc" title "noise floor (vfio-pci vs vfio-pci, IQR)", \
     1 with lines lc rgb "#555555" dt 2 notitle, \
     dat using 1:3:4:5:xtic(2) with yerrorbars pt 7 ps 1.2 \
	lc rgb "#1f5fbf" title "vfpci / vfio-pci (median, IQR)"
