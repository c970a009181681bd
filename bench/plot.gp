# Latency of create + first use + close against buffer size, per allocator.
#   gnuplot -e "dat='results.dat'; png='results.png'; title='...'" bench/plot.gp
#   gnuplot -e "dat='results.dat'; txt='results.txt'; title='...'" bench/plot.gp
# (txt: the same plot as text, for a README)
names = "smaf system udmabuf baseline cma"
set title title
set logscale xy
set xlabel "buffer size (bytes)"
set ylabel "median latency, µs"
set key top left
if (exists("txt")) {
	set terminal dumb size 100,32 noenhanced
	set output txt
	plot for [i=0:4] dat index i using 1:2 with linespoints title word(names, i + 1)
} else {
	set terminal pngcairo size 1000,640 noenhanced
	set output png
	set grid
	set ylabel "median latency, µs (bars: p10-p90)"
	plot for [i=0:4] dat index i using 1:2:3:4 with yerrorlines title word(names, i + 1)
}
